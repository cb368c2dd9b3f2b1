"""Allow ``python -m cognito_sso_cli``."""

import sys

from cognito_sso_cli.main import main

sys.exit(main())
