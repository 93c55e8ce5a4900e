// The OWL API (the jar owlready2 ships) as a command-line tool, run with `java -cp JAR OwlTool.java ...`:
//   OwlTool profile FILE...        load the files into one ontology (imports by IRI from the same files)
//                                  and print each OWL 2 DL profile violation, then "violations: N"
//   OwlTool owlxml IN OUT ...      write each IN (any syntax the OWL API reads) as OWL/XML at OUT
// Nothing is fetched: an import the given files do not provide is reported, not downloaded.
import java.io.File;
import java.util.*;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.*;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;
import org.semanticweb.owlapi.vocab.OWL2Datatype;

public class OwlTool {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.setSilentMissingImportsHandling(true);  // an import not among the files: reported below
        if (args[0].equals("owlxml")) {  // pairs: IN OUT [IN OUT ...], imports first
            for (int i = 1; i + 1 < args.length; i += 2) {
                OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[i]));
                manager.saveOntology(ontology, new OWLXMLOntologyFormat(), IRI.create(new File(args[i + 1])));
            }
            return;
        }
        // Map every file's ontology IRI to the file, so that owl:imports resolve locally.
        List<OWLOntology> loaded = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            loaded.add(manager.loadOntologyFromOntologyDocument(new File(args[i])));
        }
        Set<OWLAxiom> axioms = new HashSet<>();
        for (OWLOntology o : loaded) axioms.addAll(o.getAxioms());
        OWLOntology merged = manager.createOntology(axioms, IRI.create("urn:mmkg:profile-check"));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(merged);
        Map<String, Integer> kinds = new TreeMap<>();
        int count = 0;
        for (OWLProfileViolation v : report.getViolations()) {
            System.out.println("violation: " + v);
            kinds.merge(v.getClass().getSimpleName(), 1, Integer::sum);
            count++;
        }
        // OWL API 3's checker lets literals of any XSD datatype pass; OWL 2 DL (and HermiT) allow only the
        // OWL 2 datatype map and declared datatypes (xsd:gYear, xsd:date are outside it).
        for (OWLDatatype datatype : merged.getDatatypesInSignature()) {
            boolean declared = merged.containsAxiom(manager.getOWLDataFactory().getOWLDeclarationAxiom(datatype));
            if (!OWL2Datatype.isBuiltIn(datatype.getIRI()) && !declared) {
                System.out.println("violation: Use of a datatype outside the OWL 2 datatype map: " + datatype);
                kinds.merge("UseOfUnknownDatatype", 1, Integer::sum);
                count++;
            }
        }
        System.out.println("kinds: " + kinds);
        System.out.println("violations: " + count);
    }
}
