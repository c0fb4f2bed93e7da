from msgsvc_tui.cli import main

raise SystemExit(main())
