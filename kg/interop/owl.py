"""The OWL 2 DL view of a release, the OWL API's profile check, and the ontology in other syntaxes.

The view (:func:`owl_view`) is the union of the release's graphs, less what OWL 2 DL cannot carry:
literals whose datatype is outside the OWL 2 datatype map (``xsd:date``, ``xsd:gYear`` — HermiT refuses
them — stay in every other export), and with every individual that has a type declared an
``owl:NamedIndividual`` (the pooled regimens typed only by an anonymous ``owl:Restriction`` too).

:func:`profile_violations` runs the OWL API's OWL 2 DL profile checker (the OWL API jar owlready2
ships; ``OwlTool.java`` beside this module, run by the Java launcher) on local files: nothing is fetched.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import owlready2
import pyoxigraph as ox

from kg.errors import ReasonerUnavailable
from kg.interop.rdf_export import merged_triples
from kg.namespaces import PREFIXES

__all__ = ["OWL2_DATATYPES", "owl_api_jar", "owl_view", "profile_violations", "to_owlxml", "write_ontology_files",
           "write_owl_view"]

_XSD, _RDF, _RDFS, _OWL = PREFIXES["xsd"], PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"]
#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4).
OWL2_DATATYPES = frozenset(
    [_RDF + "PlainLiteral", _RDF + "XMLLiteral", _RDF + "langString", _RDFS + "Literal", _OWL + "real",
     _OWL + "rational"]
    + [_XSD + n for n in ("decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger",
                          "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
                          "unsignedShort", "unsignedByte", "double", "float", "string", "normalizedString",
                          "token", "language", "Name", "NCName", "NMTOKEN", "boolean", "hexBinary",
                          "base64Binary", "anyURI", "dateTime", "dateTimeStamp")])
_TYPE = ox.NamedNode(_RDF + "type")
_NAMED_INDIVIDUAL = ox.NamedNode(_OWL + "NamedIndividual")
_NOT_INDIVIDUAL = {_OWL + n for n in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty",
                                      "Ontology", "Restriction", "FunctionalProperty", "TransitiveProperty",
                                      "SymmetricProperty", "AsymmetricProperty", "ReflexiveProperty",
                                      "IrreflexiveProperty", "InverseFunctionalProperty", "AllDisjointClasses",
                                      "AllDifferent", "Axiom", "NamedIndividual", "DeprecatedClass",
                                      "DeprecatedProperty", "AllDisjointProperties", "NegativePropertyAssertion")}
_NOT_INDIVIDUAL |= {_RDFS + "Datatype", _RDFS + "Class", _RDF + "Property", _RDF + "List"}


def owl_view(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The release's triples as OWL 2 DL accepts them (see the module's description)."""
    triples = [t for t in merged_triples(quads) if not isinstance(t.object, ox.Literal) or t.object.language
               or t.object.datatype.value in OWL2_DATATYPES]
    kinds: dict[ox.NamedNode, set[str]] = {}
    for t in triples:
        if t.predicate == _TYPE and isinstance(t.subject, ox.NamedNode):
            kinds.setdefault(t.subject, set()).add(t.object.value if not isinstance(t.object, ox.Triple) else "")
    declared = [ox.Triple(s, _TYPE, _NAMED_INDIVIDUAL) for s, k in kinds.items()
                if not k & _NOT_INDIVIDUAL and not any(x.startswith(_OWL) and x not in _NOT_INDIVIDUAL
                                                       for x in k)]
    seen = set(triples)
    return triples + [t for t in declared if t not in seen]


def write_owl_view(nquads: Path, target: Path) -> int:
    """Write the OWL view of a release's N-Quads as RDF/XML; returns its number of triples."""
    triples = owl_view(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
    ox.serialize(triples, str(target), format=ox.RdfFormat.RDF_XML,
                 prefixes={k: v for k, v in PREFIXES.items() if k not in ("res", "graph")})
    return len(triples)


def owl_api_jar() -> Path:
    """The OWL API distribution jar that owlready2 ships (with Pellet)."""
    jars = sorted((Path(owlready2.__file__).parent / "pellet").glob("owlapi-distribution-*.jar"))
    if not jars:
        raise ReasonerUnavailable("owlready2's OWL API jar (pellet/owlapi-distribution-*.jar) is missing")
    return jars[-1]


def _java(*args: str, timeout: float = 300) -> str:
    java = shutil.which("java")
    if java is None:
        raise ReasonerUnavailable("the OWL API needs a Java runtime (JDK 11+, for the source launcher)")
    tool = Path(__file__).with_name("OwlTool.java")
    proc = subprocess.run([java, "-cp", str(owl_api_jar()), str(tool), *args], capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        raise ReasonerUnavailable(f"the OWL API failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return proc.stdout


def profile_violations(*files: Path) -> list[str]:
    """The OWL 2 DL profile violations of the files taken together (an empty list: in OWL 2 DL).

    Use RDF/XML or Turtle files; each file's ``owl:imports`` is checked against the others, never fetched.
    """
    out = _java("profile", *(str(f) for f in files))
    lines = out.splitlines()
    count = next(int(line.split(":", 1)[1]) for line in lines if line.startswith("violations:"))
    violations = [line[len("violation: "):] for line in lines if line.startswith("violation: ")]
    assert len(violations) == count, out
    return violations


def to_owlxml(source: Path, target: Path, *more: tuple[Path, Path]) -> None:
    """Write ``source`` (Turtle, RDF/XML) as OWL/XML at ``target`` with the OWL API (and each further
    ``(source, target)`` pair, in one Java process)."""
    pairs = [(source, target), *more]
    _java("owlxml", *(str(p) for pair in pairs for p in pair))


#: file name -> pyoxigraph format, for the syntaxes the ontology is offered in besides OWL/XML.
_SYNTAXES = {"ttl": ox.RdfFormat.TURTLE, "rdf": ox.RdfFormat.RDF_XML, "owl": ox.RdfFormat.RDF_XML}


def write_ontology_files(folder: Path, owlxml: bool = True) -> list[Path]:
    """The ontology and its import module in Turtle, RDF/XML (``.rdf`` and ``.owl``, the name owlready2
    looks for on its ``onto_path``) and, with the OWL API, OWL/XML (``.owx``), under ``folder``:
    ``mmkg.*`` and ``imports/external-terms.*``, so that an ``owl:imports`` resolves beside it."""
    from kg import paths

    written: list[Path] = []
    stems = [(paths.imports_file(), folder / "imports" / "external-terms"), (paths.ontology_file(), folder / "mmkg")]
    for source, stem in stems:
        stem.parent.mkdir(parents=True, exist_ok=True)
        triples = list(ox.parse(path=str(source), format=ox.RdfFormat.TURTLE))
        for suffix, fmt in _SYNTAXES.items():
            target = stem.with_suffix("." + suffix)
            ox.serialize(triples, str(target), format=fmt,
                         prefixes={k: v for k, v in PREFIXES.items() if k not in ("res", "graph")})
            written.append(target)
    if owlxml:
        pairs = [(stem.with_suffix(".rdf"), stem.with_suffix(".owx")) for _, stem in stems]
        to_owlxml(*pairs[0], *pairs[1:])
        written += [target for _, target in pairs]
    return written
