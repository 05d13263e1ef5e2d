-- Revenue per region for the 7 days before the session date.
SELECT
  region,
  SUM(revenue) AS revenue,
  SUM(orders) AS orders
FROM sales_by_region
WHERE sales_date >= CAST(DATE_ADD('day', -7, DATE '${session_date}') AS VARCHAR)
  AND sales_date < '${session_date}'
GROUP BY region
ORDER BY revenue DESC
