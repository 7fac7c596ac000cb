-- a neutralized copy (staging, a restored backup) never talks to Zoho:
-- credentials and tokens cleared, backends disconnected, notification channels
-- forgotten, so nothing is pushed, pulled or accepted from Zoho
UPDATE zoho_backend
   SET client_secret = NULL,
       refresh_token = NULL,
       grant_code = NULL,
       channel_id = NULL,
       channel_token = NULL,
       channel_expires_at = NULL,
       state = 'draft',
       last_error = 'Database neutralized: connect again to use this organisation.';
DELETE FROM zoho_backend_token;
-- what was queued for Zoho (a push waiting for its retry, a pull) is cancelled:
-- on the copy it could only fail on the cleared credentials
UPDATE queue_job
   SET state = 'cancelled',
       date_cancelled = now() AT TIME ZONE 'UTC',
       result = 'Cancelled: the database was neutralized.'
 WHERE channel LIKE 'root.zoho%'
   AND state IN ('wait_dependencies', 'pending', 'enqueued', 'started');
