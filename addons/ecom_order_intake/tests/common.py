"""Helpers shared by this addon's tests."""

import os
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
DATA_DIR = TESTS_DIR / "data"
# tests/ -> ecom_order_intake/ -> addons/ -> the repository root
REPO_ROOT = TESTS_DIR.parents[2]
SHARED_SAMPLES_ENV = "O2C_SHARED_SAMPLES"


def _samples_dirs():
    if os.environ.get(SHARED_SAMPLES_ENV):
        yield Path(os.environ[SHARED_SAMPLES_ENV])
    # shared/ lies beside the repository: <repo root>/../shared/samples
    yield REPO_ROOT.parent / "shared" / "samples"
    for directory in TESTS_DIR.parents:
        yield directory / "shared" / "samples"


def shared_sample_path(name):
    """:return: the Path of a standard sample document in ``shared/samples``.

    Looked up in ``$O2C_SHARED_SAMPLES``, then in ``shared/samples`` beside the
    repository, then beside any folder above the tests.

    :raises FileNotFoundError: if no such sample is found
    """
    tried = []
    for directory in _samples_dirs():
        path = directory / name
        if path.is_file():
            return path
        tried.append(str(directory))
    raise FileNotFoundError(
        f"Shared sample {name!r} not found in {', '.join(dict.fromkeys(tried))}; "
        f"set ${SHARED_SAMPLES_ENV} to the shared/samples folder."
    )


def fixture_bytes(name):
    """:return: the bytes of a test document in ``tests/data``."""
    return (DATA_DIR / name).read_bytes()
