import sys

from mockgraph.serving.cli import main

sys.exit(main())
