"""Runs the ```python blocks of the "## Python" section of docs/embedding.md,
in order, in one namespace."""
import re
import sys

text = open(sys.argv[1]).read()
section = text[text.index("\n## Python\n"):]
next_section = re.search(r"\n## (?!#)", section[1:])
if next_section:
    section = section[:next_section.start() + 1]
blocks = re.findall(r"^```python\n(.*?)^```", section, re.S | re.M)
assert blocks, "no python examples"
namespace = {}
for i, code in enumerate(blocks):
    exec(compile(code, "embedding.md[python %d]" % i, "exec"), namespace)
    print("example %d: ok" % i)
