"""Allow ``python -m cognito_sso.cli``."""

import sys

from cognito_sso.cli.main import main

sys.exit(main())
