-- A staging copy never talks to Stripe: no keys, Stripe's own URLs back
UPDATE payment_provider
   SET stripe_secret_key = NULL,
       stripe_publishable_key = NULL,
       stripe_webhook_secret = NULL,
       stripe_api_base_url = 'https://api.stripe.com/v1/',
       stripe_js_url = 'https://js.stripe.com/v3/';
UPDATE res_partner SET portal_autopay_state = 'off' WHERE portal_autopay_state = 'enrolled';
