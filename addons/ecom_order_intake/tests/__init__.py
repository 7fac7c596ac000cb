from . import (
    test_endpoint_http,
    test_intake_drain,
    test_intake_processing,
    test_intake_samples,
    test_parser_properties,
    test_parsers,
    test_review_tour,
)
