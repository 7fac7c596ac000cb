from . import test_ticket
from . import test_print_jobs
from . import test_cups
from . import test_stages_invoicing
from . import test_production_tour
