-- One row per region and day; `region` comes from the for_each> loop.
SELECT
  '${region}' AS region,
  '${session_date}' AS sales_date,
  COUNT(1) AS orders,
  SUM(amount) AS revenue
FROM raw_orders
WHERE region = '${region}'
  AND TD_TIME_RANGE(time,
                    '${session_date}',
                    TD_TIME_ADD('${session_date}', '1d', 'Asia/Tokyo'),
                    'Asia/Tokyo')
