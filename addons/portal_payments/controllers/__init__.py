from . import portal
from . import webhook
