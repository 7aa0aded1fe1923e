"""What each reproduction script says about itself, read from its docstring without importing it (no TensorFlow,
no running): the fields "Source:", "Command:", "Outputs:", "Expected:", "Runtime:", the source text it
reproduces and the figure files it promises. `gan-tf list` prints one line per script from it; the report
(`gan_tf.reproduction.report`) groups the scripts by source text.

  SOURCES        the source texts in report order: key -> (title, what it is)
  docstring_fields  "Source:" -> text, ... of a script file
  describe       Entry(name, path, source, fields, figures) of a script file
  listing_line   Entry -> the one line of `gan-tf list`
"""

import ast
import pathlib
import re
import typing

# Report order. A script belongs to the source its "Source:" field cites first (the papers: an arXiv link first).
SOURCES = {
    "blog": ("Generative Adversarial Networks", 'Max Strakhov, "Generative Adversarial Networks" (blog post, 2018), '
             "https://monnoroch.github.io/posts/2018/04/03/generative-adversarial-networks.html"),
    "writeup": ("Difficulties training a GAN", 'Sarath Shekkizhar, "Difficulties training a Generative Adversarial '
                'Network" (write-up, DCGAN 64x64), https://github.com/shekkizh/neuralnetworks.thought-experiments'),
    "lecture": ("EE-559 lecture 10.1", 'François Fleuret, EE-559 "Deep learning" (EPFL), "10.1. Generative '
                'Adversarial Networks", https://fleuret.org/ee559/'),
    "slides": ("What could go wrong", 'N. Popov, M. Ryabinin, "Introduction to GANs pt. 2, a.k.a. «what could go '
               'wrong?»" (slides, Higher School of Economics, 2018)'),
    "papers": ("The papers", "Mescheder et al. 2017 and 2018, PacGAN (Lin et al. 2018), Mirza & Osindero 2014 and "
               "Odena et al. 2016 (arXiv links in each script)"),
}
_SOURCE_MARKERS = {"blog": "Strakhov", "writeup": "Shekkizhar", "lecture": "Fleuret", "slides": "Popov",
                   "papers": "arxiv.org"}
_FIELD = re.compile(r"^([A-Z][a-z]+):\s", re.MULTILINE)
_FIGURE = re.compile(r"[\w<>.-]+\.(?:png|gif)")


class Entry(typing.NamedTuple):
    """A script as its docstring describes it."""

    name: str           # file stem
    path: pathlib.Path
    source: str         # a key of SOURCES
    fields: dict        # docstring field -> text (whitespace squeezed)
    figures: list       # the figure files named under "Outputs:", in order (may hold <run> placeholders)


def docstring_fields(path):
    """{"Source": ..., "Command": ..., ...}: the "Name:" fields of the module docstring of the Python file `path`,
    each up to the next field or blank line, whitespace squeezed to single spaces."""
    docstring = ast.get_docstring(ast.parse(pathlib.Path(path).read_text(encoding="utf-8"))) or ""
    head = docstring.split("\n\n", 2)[1] if docstring.count("\n\n") >= 1 else ""
    matches = list(_FIELD.finditer(head))
    return {match.group(1): " ".join(head[match.end():matches[index + 1].start() if index + 1 < len(matches)
                                          else len(head)].split())
            for index, match in enumerate(matches)}


def source_of(source_field):
    """The key of SOURCES whose marker comes first in a "Source:" field ("papers" when none does)."""
    positions = {key: source_field.find(marker) for key, marker in _SOURCE_MARKERS.items()}
    found = {key: position for key, position in positions.items() if position >= 0}
    return min(found, key=found.get) if found else "papers"


def describe(path):
    """Entry of the reproduction script `path`."""
    path = pathlib.Path(path)
    fields = docstring_fields(path)
    figures = list(dict.fromkeys(_FIGURE.findall(fields.get("Outputs", ""))))
    return Entry(path.stem, path, source_of(fields.get("Source", "")), fields, figures)


def short_runtime(runtime):
    """The first sentence of a "Runtime:" field without its parentheses, plus its --smoke clause if elsewhere."""
    plain = " ".join(re.sub(r"\s*\([^()]*\)", "", runtime).split())
    sentences = [sentence.strip(" .") for sentence in re.split(r"(?<=[.;])\s+", plain) if sentence.strip(" .")]
    if not sentences:
        return "not stated"
    smoke = [sentence for sentence in sentences[1:] if "--smoke" in sentence]
    return "; ".join(sentence.rstrip(";") for sentence in sentences[:1] + smoke[:1])


def listing_line(entry, name_width=37):
    """`name  [source]  N figures  runtime` on one line (the runtime as the docstring states it, shortened)."""
    figures = f"{len(entry.figures)} figure{'s' if len(entry.figures) != 1 else ''}"
    return (f"{entry.name:{name_width}s} {'[' + SOURCES[entry.source][0] + ']':33s} {figures:10s} "
            f"{short_runtime(entry.fields.get('Runtime', ''))}")
