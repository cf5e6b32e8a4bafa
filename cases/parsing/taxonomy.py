"""Treatment categories of disputed items, after the DWC's own IMR reporting categories.

The whole taxonomy is the ``RULES`` table below: the first rule whose pattern matches the
treatment text decides its category and subcategory (a drug class for pharmaceuticals, a
modality otherwise). Order matters: specific rules come before general ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class Category(StrEnum):
    """The DWC treatment categories."""

    PHARMACEUTICALS = "Pharmaceuticals"
    DMEPOS = "DMEPOS"
    REHABILITATION = "Rehabilitation"
    DIAGNOSTIC = "Diagnostic testing"
    EVALUATION = "Evaluation & management"
    INJECTIONS = "Injections"
    SURGERY = "Surgery"
    PSYCH = "Psych services"
    PROGRAMS = "Programs"
    HOME_HEALTH = "Home health"
    TRANSPORTATION = "Transportation"
    OTHER = "Other"


@dataclass(frozen=True)
class Classification:
    """The category of one treatment, with a finer subcategory when one can be told."""

    category: Category
    subcategory: str


C = Category
# (category, subcategory, pattern). Patterns are case-insensitive regular expressions.
RULES: tuple[tuple[Category, str, str], ...] = (
    (C.PROGRAMS, "functional restoration", r"functional restoration|\bFRP\b|\bHELP\b program"),
    (C.PROGRAMS, "weight loss", r"weight (loss|reduction|management)|nutrition(al)? program"),
    (C.PROGRAMS, "gym membership", r"\bgym\b|health club|\bYMCA\b|pool membership"),
    (C.PROGRAMS, "work conditioning", r"work (hardening|conditioning)"),
    (C.PROGRAMS, "detoxification", r"detox\w*|opioid (taper|wean)\w* program"),
    (C.PROGRAMS, "rehabilitation program", r"rehabilitation (unit|program|facility)|"
                                           r"pain (management )?program|inpatient rehab"),
    (C.HOME_HEALTH, "home health", r"home (health|care|aide|attendant|assistan)|caregiver|"
                                   r"\bRN\b|\bLVN\b|nurs(e|ing)|housekeep\w*|home help"),
    (C.TRANSPORTATION, "transportation", r"transport\w*|\btaxi\b|ambulance|mileage|"
                                         r"\buber\b|\btravel\b"),
    (C.PSYCH, "psychotherapy", r"cognitive behav\w*|\bCBT\b|psychotherap\w*|counsel+ing|"
                               r"hypnotherap\w*"),
    (C.PSYCH, "psychological evaluation", r"psycholog\w*|psychiatr\w*|neuropsycholog\w*"),
    (C.REHABILITATION, "acupuncture", r"acupunct\w*|electroacupunct\w*"),
    (C.REHABILITATION, "massage", r"massage|myofascial (therapy|release)"),
    (C.REHABILITATION, "chiropractic", r"chiropract\w*|\bchiro\b|manipulat\w*|\bCMT\b"),
    (C.REHABILITATION, "occupational therapy", r"occupational therap\w*|\bOT\b|hand therap\w*"),
    (C.REHABILITATION, "physical therapy", r"physical therap\w*|physiotherap\w*|\bPT\b|"
                                           r"aqua(tic)? therap\w*|therapeutic exercise|"
                                           r"manual therap\w*|physical medicine"),
    (C.INJECTIONS, "epidural steroid injection", r"epidural|\bESI\b|transforaminal"),
    (C.INJECTIONS, "facet / medial branch", r"facet|medial branch|radiofrequency|rhizotomy|"
                                            r"\bRFA\b"),
    (C.INJECTIONS, "trigger point injection", r"trigger point inject\w*|\bTPI\b"),
    (C.INJECTIONS, "nerve block", r"\bblock\b|neurolytic|neuroplasty"),
    (C.INJECTIONS, "joint injection", r"inject\w*|platelet rich|\bPRP\b|viscosupplement\w*|"
                                      r"synvisc|cortisone|botox|aspiration"),
    (C.EVALUATION, "functional capacity evaluation", r"functional capacity|\bFCE\b"),
    (C.EVALUATION, "pre-operative clearance", r"pre-?\s?op\w*\s+(medical\s+)?clearance|"
                                              r"clearance"),
    (C.EVALUATION, "consultation", r"consult\w*|referral|\bTOC\b|transfer of care|"
                                   r"^\W*(\w+\s){0,2}\w*(surgeon|specialist|physician|doctor|"
                                   r"orthopedi\w*|neurolog\w*|pain management) eval\w*"),
    (C.SURGERY, "spinal cord stimulator", r"spinal cord stim\w*|\bSCS\b"),
    (C.SURGERY, "surgical assistant", r"assistant surgeon|\bPA assist|surgical assist\w*"),
    # "\b\w+" tries each word once: a bare "\w+ectomy" retries every position of a long
    # word, minutes on a garbled heading of a few megabytes.
    (C.SURGERY, "surgery", r"surg(ery|ical)|arthroscop\w*|\b\w+(ectomy|otomy|plasty)|"
                           r"repair|fusion|decompression|\brelease\b|replacement|"
                           r"reconstruction|debridement|fixation|implant\w*|carpal tunnel"),
    (C.REHABILITATION, "therapeutic ultrasound", r"ultrasound\s+(therapy|\d|x\s*\d|times|"
                                                 r"sessions|treatment)|pulsed ultrasound"),
    (C.DIAGNOSTIC, "MRI", r"\bMRI\b|\bMR\s|magnetic resonance|arthrogram"),
    (C.DIAGNOSTIC, "CT scan", r"\bCT\b|computed tomograph\w*|\bCAT scan"),
    (C.DIAGNOSTIC, "x-ray", r"x-?\s?rays?|radiograph\w*"),
    (C.DIAGNOSTIC, "electrodiagnostics", r"\bEMG\b|\bNCS\b|\bNCV\b|nerve conduction|"
                                         r"electromyogra\w*|\bSSEP\b|evoked potential"),
    (C.DIAGNOSTIC, "laboratory", r"urine|drug (screen|test)\w*|\bUDS\b|\blab(s|oratory)?\b|"
                                 r"blood|\bCBC\b|panel|genetic|\bDNA\b"),
    (C.DIAGNOSTIC, "other diagnostics", r"scan\b|imaging|ultrasound|sonogra\w*|"
                                        r"electrocardiogra\w*|\bEKG\b|\bECG\b|"
                                        r"electroencephalogra\w*|\bEEG\b|sleep study|"
                                        r"discogra\w*|\bDEXA\b|densitometr\w*|test(ing)?\b"),
    (C.DMEPOS, "TENS / stimulation unit", r"\bTENS\b|interferential|\bIF unit|H-?wave|"
                                          r"stimulat\w* unit|neurostimulator"),
    (C.DMEPOS, "cold / heat therapy", r"cryotherap\w*|cold therapy|hot/cold|heat(ing)? pad|"
                                      r"heat therapy|ice (unit|pack)|thermal"),
    (C.DMEPOS, "orthosis / brace", r"brace|splint|orthotic\w*|orthos[ie]s|support\b|"
                                   r"insole|collar|sling|\bwrap\b|compression"),
    (C.DMEPOS, "equipment", r"\bunit\b|\bbed\b|wheelchair|walker|\bcane\b|scooter|"
                            r"commode|chair|pillow|mattress|hearing aid|workstation|"
                            r"gloves|wipes|supplies|\bkit\b|cushion|device|equipment|"
                            r"rental|purchase|glasses|shoes|crutch\w*|seat"),
    (C.REHABILITATION, "modalities", r"electrical (muscle )?stimulation|e-?stim|infrared|"
                                     r"shock ?wave|\bESWT\b|biofeedback|traction|"
                                     r"neurostimulation|laser|iontophoresis|paraffin|"
                                     r"diathermy|exercise|\bhome exercise"),
    (C.PHARMACEUTICALS, "opioids", r"norco|hydrocodone|oxycodone|oxycontin|percocet|"
                                   r"tramadol|ultram|ultracet|tapentadol|nucynta|morphine|"
                                   r"\bMS ?Contin|methadone|fentanyl|duragesic|"
                                   r"buprenorphine|butrans|suboxone|hydromorphone|"
                                   r"dilaudid|codeine|tylenol (#|no\.?\s?)3|opana|"
                                   r"oxymorphone|\bopioid|vicodin|xartemis"),
    (C.PHARMACEUTICALS, "topicals", r"cream|\bgel\b|ointment|patch|lotion|topical|"
                                    r"transdermal|lidoderm|lidopro|salonpas|terocin|"
                                    r"flector|menthoderm|\bcompound\w*|\d\s*%"),
    (C.PHARMACEUTICALS, "NSAIDs", r"ibuprofen|motrin|naproxen|anaprox|naprosyn|celecoxib|"
                                  r"celebrex|meloxicam|mobic|diclofenac|voltaren|etodolac|"
                                  r"nabumetone|relafen|ketorolac|toradol|indomethacin|"
                                  r"\bNSAID|aspirin|fenoprofen|nalfon|piroxicam|arthrotec"),
    (C.PHARMACEUTICALS, "muscle relaxants", r"cyclobenzaprine|flexeril|fexmid|baclofen|"
                                            r"tizanidine|zanaflex|carisoprodol|\bsoma\b|"
                                            r"methocarbamol|robaxin|orphenadrine|norflex|"
                                            r"lorzone|chlorzoxazone|metaxalone|skelaxin|"
                                            r"muscle relax\w*|amrix"),
    (C.PHARMACEUTICALS, "anticonvulsants", r"gabapentin|neurontin|pregabalin|lyrica|"
                                           r"topiramate|topamax|carbamazepine|"
                                           r"oxcarbazepine|lamotrigine|gralise|horizant"),
    (C.PHARMACEUTICALS, "antidepressants", r"nortriptyline|amitriptyline|duloxetine|"
                                           r"cymbalta|trazodone|sertraline|zoloft|"
                                           r"venlafaxine|effexor|fluoxetine|prozac|"
                                           r"bupropion|wellbutrin|citalopram|escitalopram|"
                                           r"lexapro|paroxetine|mirtazapine|savella"),
    (C.PHARMACEUTICALS, "GI protection", r"omeprazole|prilosec|pantoprazole|protonix|"
                                         r"prevacid|lansoprazole|esomeprazole|nexium|"
                                         r"famotidine|pepcid|ranitidine|zantac|"
                                         r"ondansetron|zofran|dexilant|docusate|senna|"
                                         r"colace|linzess|amitiza|movantik"),
    (C.PHARMACEUTICALS, "sleep aids / hypnotics", r"zolpidem|ambien|temazepam|restoril|"
                                                  r"eszopiclone|lunesta|sonata|melatonin|"
                                                  r"belsomra|dicopanol"),
    (C.PHARMACEUTICALS, "benzodiazepines", r"diazepam|valium|alprazolam|xanax|clonazepam|"
                                           r"klonopin|lorazepam|ativan"),
    (C.PHARMACEUTICALS, "compounded oral suspensions", r"synapryn|tabradol|deprizine|"
                                                       r"fanatrex|oral suspension"),
    (C.PHARMACEUTICALS, "medical foods", r"theramine|sentra|trepadone|gabadone|"
                                         r"medical food"),
    (C.PHARMACEUTICALS, "other medications", r"\b\d+(\.\d+)?\s*(mg|mcg|ml|g|gm)\b|#\s*\d+|"
                                             r"refills?|tablets?|capsules?|\btabs?\b|"
                                             r"medication|prescription|viagra|fioricet|"
                                             r"\bDOS\b.*\border\b|acetaminophen|tylenol|"
                                             r"prednisone|medrol|injectable"),
    (C.EVALUATION, "office visit", r"office visit|follow[- ]?up|re-?exam\w*|\bexam\w*\b|"
                                   r"eval\w*|visit|appointment|assessment"),
)

_PREFIX = re.compile(r"^\s*(associated surgical services?|retrospective|retro|prospective|"
                     r"request(ed)? for)\s*:?\s*", re.IGNORECASE)
_COMPILED = tuple((cat, sub, re.compile(pat, re.IGNORECASE)) for cat, sub, pat in RULES)
OTHER = Classification(Category.OTHER, "other")


@lru_cache(maxsize=65536)  # the same requests recur across letters
def classify_treatment(treatment: str) -> Classification:
    """Return the category of a disputed item's treatment text (Other when none fits)."""
    text = _PREFIX.sub("", treatment, count=2)
    for category, subcategory, pattern in _COMPILED:
        if pattern.search(text):
            return Classification(category, subcategory)
    return OTHER
