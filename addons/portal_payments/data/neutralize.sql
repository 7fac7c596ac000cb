-- A staging copy never talks to Stripe: no keys, Stripe's own URLs back
UPDATE payment_provider
   SET stripe_secret_key = NULL,
       stripe_publishable_key = NULL,
       stripe_webhook_secret = NULL,
       stripe_api_base_url = 'https://api.stripe.com/v1/',
       stripe_js_url = 'https://js.stripe.com/v3/';
UPDATE res_partner SET portal_autopay_state = 'off' WHERE portal_autopay_state = 'enrolled';
-- and what was queued for Stripe is cancelled: it could only fail without keys
UPDATE queue_job
   SET state = 'cancelled',
       date_cancelled = now() AT TIME ZONE 'UTC',
       result = 'Cancelled: the database was neutralized.'
 WHERE channel LIKE 'root.portal_payments%'
   AND state IN ('wait_dependencies', 'pending', 'enqueued', 'started');
