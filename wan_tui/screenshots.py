"""`python -m wan_tui.screenshots [FOLDER]` writes the app's screenshots (SVG) to FOLDER
(default: screenshots/). The work is in wan_tui.ui.screenshots."""

from __future__ import annotations

import sys

from wan_tui.ui.screenshots import main

if __name__ == "__main__":
    sys.exit(main())
