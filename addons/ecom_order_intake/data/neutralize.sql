-- a neutralized copy (staging, a restored backup) accepts no order from the real
-- shops: every signing secret is archived, so each delivery is refused (401)
UPDATE ecom_shop_secret
   SET active = false;
