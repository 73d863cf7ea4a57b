import sys

from mockgraph.cli import main

sys.exit(main())
