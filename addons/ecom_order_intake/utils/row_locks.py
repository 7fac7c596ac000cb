"""Row locks taken by queue jobs, which run in REPEATABLE READ.

A job's snapshot begins when queue_job loads the job, before its code runs.
When another job (a drain running side by side) commits a change to a row after
that, locking the row (even ``FOR UPDATE SKIP LOCKED``) fails with a
serialization error: PostgreSQL logs it, Odoo logs the query as an ERROR and
queue_job retries the job only after 5 s. That race is expected, so it is
turned into a quiet, prompt retry with a fresh snapshot.
"""

from psycopg2.errors import SerializationFailure

from odoo.addons.queue_job.exception import RetryableJobError

# a fresh snapshot is all the job needs: run again at once
RETRY_SECONDS = 1


def lock_rows(cr, query, params, what):
    """Run a row-locking ``SELECT``. No savepoint: after a lost race the
    transaction is done with (queue_job rolls it back and runs the job again).

    :param what: the rows, in words, for the retry message
    :return: the rows of the query
    :raises RetryableJobError: another transaction committed a change to a row
        after this transaction's snapshot began
    """
    try:
        cr.execute(query, params, log_exceptions=False)
        return cr.fetchall()
    except SerializationFailure as exc:
        raise RetryableJobError(
            f"Another job changed {what} since this one started; it runs again"
            " with what is left.",
            seconds=RETRY_SECONDS,
            ignore_retry=True,
        ) from exc
