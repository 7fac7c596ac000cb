from . import print_job_reprint
