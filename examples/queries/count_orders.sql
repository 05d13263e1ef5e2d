-- The single row is kept as td.last_results (store_last_results: true),
-- and the next task tests its `cnt` column.
SELECT COUNT(1) AS cnt
FROM daily_orders_${session_date_compact}
