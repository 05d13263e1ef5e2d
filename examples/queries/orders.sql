-- Orders of the session day (Asia/Tokyo), one row per order.
SELECT
  order_id,
  customer_id,
  region,
  amount,
  time
FROM raw_orders
WHERE TD_TIME_RANGE(time,
                    '${session_date}',
                    TD_TIME_ADD('${session_date}', '1d', 'Asia/Tokyo'),
                    'Asia/Tokyo')
