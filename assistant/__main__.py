from assistant.surfaces.cli import main

raise SystemExit(main())
