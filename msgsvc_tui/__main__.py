from msgsvc_tui.cli import console_main

raise SystemExit(console_main())
