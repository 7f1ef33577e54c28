-- 027: a saved view never keeps a customer's e-mail address (a sealed
-- personal field): before this, a view's filters could hold
-- customer_email in clear, shown to every reader of a shared view. The
-- API refuses it since; this removes it from views saved before.
UPDATE saved_views SET filters = json_remove(filters, '$.customer_email')
WHERE json_valid(filters)
  AND json_extract(filters, '$.customer_email') IS NOT NULL;
