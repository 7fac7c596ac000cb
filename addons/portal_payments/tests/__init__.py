from . import test_utils
from . import test_account_page
from . import test_pay
from . import test_webhook
from . import test_reminders
from . import test_payouts
from . import test_ach
from . import test_autopay
