import sys

from iamviz.cli import main

sys.exit(main())
