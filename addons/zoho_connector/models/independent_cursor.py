"""A short transaction of its own, committed at once, for facts others must see
while a long job runs (token refresh, run progress, run errors).

Under tests the registry is in test mode and everything shares the test's
transaction, which is rolled back at the end.
"""

from contextlib import contextmanager


@contextmanager
def independent_env(env):
    """Yield ``env`` on its own cursor, committed on exit (``env`` under tests)."""
    if env.registry.in_test_mode():
        yield env
        return
    with env.registry.cursor() as cr:
        yield env(cr=cr)
