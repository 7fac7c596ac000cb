from . import account_move
from . import payment_provider
from . import payment_transaction
from . import res_partner
from . import stripe_event
from . import payment_reminder
from . import stripe_payout
from . import autopay
