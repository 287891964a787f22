import sys

from iamviz.cli import entry

sys.exit(entry())
