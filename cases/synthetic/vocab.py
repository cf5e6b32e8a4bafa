"""Word tables for the synthetic IMR letter generator: specialties, states, regions, treatments.

Only plain facts (specialty, state, drug and guideline names) follow the real letters; the
sentences live in ``cases.synthetic.prose``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from cases.parsing.taxonomy import Category

C = Category

SPECIALTY_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("Preventive Medicine, Occupational Medicine", 40), ("Family Practice", 36),
    ("Physical Medicine & Rehabilitation, Pain Management", 13),
    ("Physical Medicine & Rehabilitation", 12), ("Internal Medicine", 8),
    ("Preventive Medicine, Occupational Medicine, Medical Toxicology", 5),
    ("Preventive Medicine, Occupational Medicine, Family Practice", 4),
    ("Orthopedic Surgery, Sports Medicine", 4), ("Emergency Medicine", 4),
    ("Preventive Medicine, Occupational Medicine, Public Health & General Preventive Medicine", 3),
    ("Internal Medicine, Hospice & Palliative Medicine", 3), ("Anesthesiology, Pain Management", 3),
    ("Anesthesiology, Pain Management, Hospice & Palliative Medicine", 2),
    ("Orthopedic Surgery", 2), ("Family Practice, Sports Medicine", 2), ("Chiropractic", 2),
    ("Psychology", 2), ("Neurology, Pain Management", 1), ("Psychiatry", 1),
    ("Physical Medicine & Rehabilitation, Sports Medicine", 1),
    ("Physical Medicine & Rehabilitation, Neuromuscular Medicine", 1),
)
# Prose credentials ("Board Certified in A and B"): names without " and " so lists split cleanly.
PROSE_SPECIALTIES: tuple[str, ...] = (
    "Occupational Medicine", "Occupational Medicine", "Family Practice", "Family Practice",
    "Internal Medicine", "Physical Medicine & Rehabilitation", "Physical Medicine & Rehabilitation",
    "Pain Management", "Orthopedic Surgery", "Anesthesiology", "Emergency Medicine",
    "Sports Medicine", "Neurology", "Preventive Medicine", "Psychiatry",
)
SPECIALTIES_2013: tuple[str, ...] = (
    "Physical Medicine and Rehabilitation", "Physical Medicine and Rehabilitation",
    "Family Practice", "Family Practice", "Internal Medicine", "Occupational Medicine",
    "Orthopedic Surgery", "Anesthesiology", "Emergency Medicine", "Neurology",
    "Preventive Medicine", "Psychiatry",
)
SUBSPECIALTIES_2013: tuple[str, ...] = (
    "Pain Management", "Pain Management", "Sports Medicine", "Spine Surgery",
    "Occupational Medicine", "Hand Surgery", "Electrodiagnostic Medicine",
)
STATES: tuple[str, ...] = (
    "California", "California", "California", "Texas", "Texas", "New York", "New York", "Florida",
    "Florida", "Pennsylvania", "Pennsylvania", "North Carolina", "North Carolina", "Arizona",
    "New Jersey", "Ohio", "Virginia", "Washington", "South Carolina", "Massachusetts", "Utah",
    "Connecticut", "Maryland", "Iowa", "Montana", "Oregon", "Missouri", "Mississippi", "Hawaii",
    "New Mexico", "Colorado", "Indiana", "West Virginia", "Louisiana",
)


@dataclass(frozen=True)
class Region:
    """A body region with the guideline chapters and clinical words that go with it."""

    phrase: str  # may hold {side}
    kind: str  # "spine" or "limb"
    mtus: str
    odg: str
    levels: tuple[str, ...]
    diagnoses: tuple[str, ...]
    findings: tuple[str, ...]
    complaint: str


LUMBAR_LEVELS = ("L3-L4", "L4-L5", "L5-S1", "L4-S1")
REGIONS: tuple[Region, ...] = (
    Region("lumbar spine", "spine", "Low Back Complaints 2004", "Low Back", LUMBAR_LEVELS,
           ("lumbar sprain/strain", "lumbar radiculopathy", "a lumbar disc protrusion at {lvl}",
            "degenerative disc disease of the lumbar spine", "lumbar facet arthropathy"),
           ("tenderness over the lumbar paraspinal muscles", "a positive straight leg raise on the "
            "{side}", "lumbar flexion limited to 40 degrees", "diminished sensation in the {side} "
            "L5 dermatome", "guarding with lumbar extension"),
           "low back pain that travels into the {side} leg"),
    Region("cervical spine", "spine", "Neck and Upper Back Complaints 2004", "Neck and Upper Back",
           ("C4-C5", "C5-C6", "C6-C7"),
           ("cervical sprain/strain", "cervical radiculopathy", "a cervical disc bulge at {lvl}",
            "cervical spondylosis", "myofascial pain of the neck and upper back"),
           ("spasm of the cervical paraspinal muscles", "a positive Spurling test on the {side}",
            "reduced cervical rotation", "trapezius tenderness", "reduced grip strength on the "
            "{side}"),
           "neck pain spreading into the {side} arm"),
    Region("{side} shoulder", "limb", "Shoulder Complaints 2004", "Shoulder", (),
           ("impingement syndrome of the {side} shoulder", "a partial rotator cuff tear",
            "{side} shoulder tendinosis", "adhesive capsulitis", "acromioclavicular arthritis"),
           ("a positive Neer sign", "abduction limited to 100 degrees", "pain with resisted "
            "external rotation", "tenderness over the greater tuberosity", "a painful arc"),
           "{side} shoulder pain when reaching overhead"),
    Region("{side} knee", "limb", "Knee Complaints 2004", "Knee & Leg", (),
           ("a medial meniscus tear of the {side} knee", "osteoarthritis of the {side} knee",
            "patellofemoral pain syndrome", "{side} knee sprain", "chondromalacia patellae"),
           ("medial joint line tenderness", "a mild effusion", "a positive McMurray test",
            "crepitus with flexion", "an antalgic gait"),
           "{side} knee pain on stairs and with squatting"),
    Region("{side} wrist", "limb", "Forearm, Wrist, and Hand Complaints 2004",
           "Forearm, Wrist, & Hand", (),
           ("{side} carpal tunnel syndrome", "{side} wrist sprain", "de Quervain tenosynovitis",
            "a triangular fibrocartilage tear", "trigger finger"),
           ("a positive Phalen test", "a positive Tinel sign at the wrist", "reduced pinch "
            "strength", "tenderness over the first dorsal compartment", "thenar weakness"),
           "{side} wrist pain with numbness of the fingers at night"),
    Region("{side} elbow", "limb", "Elbow Complaints 2007", "Elbow", (),
           ("{side} lateral epicondylitis", "medial epicondylitis", "cubital tunnel syndrome",
            "{side} elbow sprain"),
           ("tenderness at the lateral epicondyle", "pain with resisted wrist extension",
            "a positive Tinel sign at the cubital tunnel", "weak grip"),
           "{side} elbow pain when gripping and lifting"),
    Region("{side} ankle", "limb", "Ankle and Foot Complaints 2004", "Ankle & Foot", (),
           ("{side} ankle sprain", "plantar fasciitis", "Achilles tendinitis",
            "posterior tibial tendon dysfunction"),
           ("swelling over the lateral ankle", "tenderness at the plantar fascia insertion",
            "limited dorsiflexion", "an antalgic gait"),
           "{side} ankle and foot pain after standing for long periods"),
)
EXTRA_DIAGNOSES: tuple[str, ...] = (
    "chronic pain syndrome", "depression related to chronic pain", "insomnia", "anxiety",
    "gastritis", "obesity", "hypertension", "myalgia",
)
MECHANISMS: tuple[str, ...] = (
    "lifting a heavy box", "unloading a delivery truck", "slipping on a wet floor",
    "stepping off a loading dock", "restraining a combative patient", "falling from a ladder",
    "pulling a pallet jack", "doing repetitive keyboard work", "carrying a patient on a gurney",
    "installing drywall overhead", "stocking shelves", "driving a forklift over rough ground",
)
PRIOR_TREATMENTS: tuple[str, ...] = (
    "medications", "physical therapy", "chiropractic care", "acupuncture", "a home exercise "
    "program", "activity modification", "injections", "a TENS unit", "bracing", "rest",
    "ice and heat", "diagnostic imaging", "electrodiagnostic studies", "psychological care",
)
WORK_STATUS: tuple[str, ...] = (
    "working with modified duties", "on temporary total disability", "not currently working",
    "permanent and stationary", "working full duty", "retired from the job",
)
NUMBER_WORDS: tuple[str, ...] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "twenty-one", "twenty-two", "twenty-three", "twenty-four",
)
MONTHS: tuple[str, ...] = (
    "", "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)

CATEGORY_WEIGHTS: tuple[tuple[Category, float], ...] = (
    (C.PHARMACEUTICALS, 38), (C.REHABILITATION, 18), (C.DIAGNOSTIC, 14), (C.DMEPOS, 7),
    (C.EVALUATION, 6), (C.INJECTIONS, 6), (C.SURGERY, 5), (C.PSYCH, 2), (C.PROGRAMS, 1.5),
    (C.HOME_HEALTH, 1), (C.TRANSPORTATION, 0.8), (C.OTHER, 0.7),
)
D6 = (30, 60, 90)
D4 = (60, 90, 120, 180)
S = (6, 8, 10, 12, 18, 24)
OPIOID = ("acetaminophen", "hydrocodone")
OXY_APAP = ("acetaminophen", "oxycodone")


class Treatment(NamedTuple):
    """One kind of disputed item: its heading template and what that heading names.

    ``quantity`` says how the requested quantity follows from the slots: "n sessions" is
    {n} sessions, "xw sessions" {x} times {w}, "nw hours" {n} times {w} hours. Regions and
    sides the template fills in through slots ({reg}, {lvl}, {ext}, {side}, {lr}) are the
    letter's; ``regions`` and ``side`` are those the template writes in its own words.
    """

    template: str
    category: Category
    topic: str  # the rationale topic (``prose.TOPICS``)
    counts: tuple[int, ...]  # values of {n}/{nw}/{Nw}
    where: str  # "" or the region kind or phrase the template fits
    drugs: tuple[str, ...] = ()
    quantity: str = ""
    regions: tuple[str, ...] = ()
    side: str = ""


T = Treatment
PH, RE, DX, DM = C.PHARMACEUTICALS, C.REHABILITATION, C.DIAGNOSTIC, C.DMEPOS
TREATMENTS: tuple[Treatment, ...] = (
    T("Norco 10/325mg #{n}", PH, "opioid", D4, "", OPIOID, "n count"),
    T("Hydrocodone/APAP 10/325mg #{n}", PH, "opioid", D4, "", OPIOID, "n count"),
    T("Hydrocodone bitartrate/acetaminophen 10/325mg, {n} tablets", PH, "opioid", D4, "",
      OPIOID, "n count"),
    T("Norco 10/325mg with 2 refills", PH, "opioid", (), "", OPIOID),
    T("Oxycodone 10mg #{n}", PH, "opioid", D4, "", ("oxycodone",), "n count"),
    T("Tramadol ER 150mg #{n}", PH, "opioid", D6, "", ("tramadol",), "n count"),
    T("Ultram 50mg #{n} for 30 days", PH, "opioid", D6, "", ("tramadol",), "n count"),
    T("Percocet 10/325mg #{n}", PH, "opioid", D4, "", OXY_APAP, "n count"),
    T("Percocet 10/325mg qty {n}", PH, "opioid", D4, "", OXY_APAP, "n count"),
    T("Butrans patch 10mcg/hr #{n}", PH, "opioid", (4, 8), "", ("buprenorphine",), "n count"),
    T("Cyclobenzaprine 7.5mg #{n}", PH, "relaxant", D6, "", ("cyclobenzaprine",), "n count"),
    T("Flexeril 10mg #{n}", PH, "relaxant", D6, "", ("cyclobenzaprine",), "n count"),
    T("Tizanidine 4mg #{n}", PH, "relaxant", D6, "", ("tizanidine",), "n count"),
    T("Baclofen 10mg #{n}", PH, "relaxant", D6, "", ("baclofen",), "n count"),
    T("Soma 350mg #{n}", PH, "relaxant", D6, "", ("carisoprodol",), "n count"),
    T("Methocarbamol 750mg #{n}", PH, "relaxant", D6, "", ("methocarbamol",), "n count"),
    T("Gabapentin 600mg #{n}", PH, "neuropathic", D6, "", ("gabapentin",), "n count"),
    T("Neurontin 600mg #{n}", PH, "neuropathic", D6, "", ("gabapentin",), "n count"),
    T("Lyrica 75mg #{n}", PH, "neuropathic", D6, "", ("pregabalin",), "n count"),
    T("Duloxetine 60mg #{n}", PH, "neuropathic", (30, 60), "", ("duloxetine",), "n count"),
    T("Cymbalta 60mg, {n} capsules", PH, "neuropathic", (30, 60), "", ("duloxetine",),
      "n count"),
    T("Naproxen sodium 550mg #{n}", PH, "nsaid", D6, "", ("naproxen",), "n count"),
    T("Naproxen sodium 550mg 1 tab twice daily #{n}", PH, "nsaid", D6, "", ("naproxen",),
      "n count"),
    T("Meloxicam 15mg #{n}", PH, "nsaid", D6, "", ("meloxicam",), "n count"),
    T("Celebrex 200mg #{n}", PH, "nsaid", D6, "", ("celecoxib",), "n count"),
    T("Diclofenac sodium ER 100mg #{n}", PH, "nsaid", D6, "", ("diclofenac",), "n count"),
    T("Omeprazole 20mg #{n}", PH, "gi", D6, "", ("omeprazole",), "n count"),
    T("Prilosec 20mg, {n} capsules", PH, "gi", D6, "", ("omeprazole",), "n count"),
    T("Pantoprazole 40mg #{n}", PH, "gi", D6, "", ("pantoprazole",), "n count"),
    T("Ondansetron 8mg #{n}", PH, "gi", (10, 20, 30), "", ("ondansetron",), "n count"),
    T("Lidoderm 5% patch #{n}", PH, "topical", D6, "", ("lidocaine",), "n count"),
    T("Terocin patches #{n}", PH, "topical", (10, 20, 30), "", ("lidocaine", "menthol"),
      "n count"),
    T("Diclofenac 1% gel 100 grams", PH, "topical", (), "", ("diclofenac",)),
    T("Ketoprofen 20% cream 120gm", PH, "topical", (), "", ("ketoprofen",)),
    T("Compounded topical cream: flurbiprofen 20%, lidocaine 5%, 180gm", PH, "topical", (), "",
      ("flurbiprofen", "lidocaine")),
    T("Gabapentin 10%/ketoprofen 10%/lidocaine 5% cream 240gm", PH, "topical", (), "",
      ("gabapentin", "ketoprofen", "lidocaine")),
    T("Capsaicin 0.025%/menthol 10% cream 120gm", PH, "topical", (), "",
      ("capsaicin", "menthol")),
    T("Synapryn 10mg/ml oral suspension 500ml", PH, "opioid", (), "", ("tramadol",)),
    T("Zolpidem 10mg #{n}", PH, "sleep", (15, 30), "", ("zolpidem",), "n count"),
    T("Ambien 10mg #{n}", PH, "sleep", (15, 30), "", ("zolpidem",), "n count"),
    T("Trazodone 50mg #{n}", PH, "sleep", (30, 60), "", ("trazodone",), "n count"),
    T("Alprazolam 0.5mg #{n}", PH, "sleep", (30, 60), "", ("alprazolam",), "n count"),
    T("Theramine #{n}", PH, "medfood", (60, 90, 120), "", ("theramine",), "n count"),
    T("Sentra PM #{n}", PH, "medfood", (60, 90), "", ("sentra pm",), "n count"),
    T("Physical therapy {x} times a week for {w} weeks for the {reg}", RE, "pt", (), "",
      quantity="xw sessions"),
    T("Physical therapy {n} sessions for the {reg}", RE, "pt", S, "", quantity="n sessions"),
    T("{Nw} sessions of physical therapy for the {reg}", RE, "pt", S, "",
      quantity="n sessions"),
    T("Additional physical therapy {x}x{w} for the {reg}", RE, "pt", (), "",
      quantity="xw sessions"),
    T("Physical therapy {xw} ({x}x{w}) for the {reg}", RE, "pt", (), "",
      quantity="xw sessions"),
    T("Physical therapy for the neck and low back, {nw} sessions", RE, "pt", S, "",
      quantity="n sessions", regions=("cervical spine", "lumbar spine")),
    T("Physical therapy for the {lr} hip {n} sessions", RE, "pt", S, "", quantity="n sessions",
      regions=("hip",)),
    T("Aquatic therapy {n} sessions", RE, "pt", S, "", quantity="n sessions"),
    T("Occupational therapy {n} sessions for the {reg}", RE, "pt", S, "limb",
      quantity="n sessions"),
    T("Occupational therapy {nw} visits for the {lr} hand", RE, "pt", S, "",
      quantity="n sessions", regions=("hand",)),
    T("Chiropractic treatment {n} visits for the {reg}", RE, "chiro", S, "spine",
      quantity="n sessions"),
    T("Chiropractic manipulation {x} times a week for {w} weeks", RE, "chiro", (), "spine",
      quantity="xw sessions"),
    T("Chiropractic care for the mid back {x} x {w}", RE, "chiro", (), "",
      quantity="xw sessions", regions=("thoracic spine",)),
    T("{Nw} sessions of acupuncture", RE, "acupuncture", S, "", quantity="n sessions"),
    T("Acupuncture {n} sessions for the {reg}", RE, "acupuncture", S, "",
      quantity="n sessions"),
    T("Acupuncture {xs} a week for {ww} weeks", RE, "acupuncture", (), "",
      quantity="xw sessions"),
    T("Acupuncture for the left knee and right ankle, {n} sessions", RE, "acupuncture", S, "",
      quantity="n sessions", regions=("ankle", "knee"), side="bilateral"),
    T("Massage therapy {x} times a week for {w} weeks for the {reg}", RE, "massage", (), "",
      quantity="xw sessions"),
    T("{Nw} sessions of massage therapy for the right shoulder and hip", RE, "massage", S, "",
      quantity="n sessions", regions=("hip", "shoulder"), side="right"),
    T("Myofascial release therapy {n} sessions", RE, "massage", S, "", quantity="n sessions"),
    T("Extracorporeal shockwave therapy for the {reg}", RE, "modality", (), "limb"),
    T("Biofeedback {n} sessions", RE, "modality", (4, 6, 8), "", quantity="n sessions"),
    T("Mechanical traction {n} sessions", RE, "modality", (6, 8, 12), "spine",
      quantity="n sessions"),
    T("Infrared therapy {n} sessions", RE, "modality", (6, 8, 12), "", quantity="n sessions"),
    T("Therapeutic ultrasound {n} sessions for the {reg}", RE, "modality", (6, 8), "limb",
      quantity="n sessions"),
    T("MRI of the {reg} without contrast", DX, "imaging", (), ""),
    T("MRI of the {reg}", DX, "imaging", (), ""),
    T("Repeat MRI of the {reg}", DX, "imaging", (), ""),
    T("MRI of the thoracic spine", DX, "imaging", (), "", regions=("thoracic spine",)),
    T("MRI of the brain without contrast", DX, "imaging", (), "", regions=("head",)),
    T("MRI of the {lr} thumb", DX, "imaging", (), "", regions=("hand",)),
    T("CT scan of the {reg}", DX, "imaging", (), ""),
    T("CT scan of the head", DX, "imaging", (), "", regions=("head",)),
    T("X-rays of the {reg}, {n} views", DX, "imaging", (2, 3, 4), ""),
    T("X-rays of the {lr} hand", DX, "imaging", (), "", regions=("hand",)),
    T("Diagnostic ultrasound of the {reg}", DX, "imaging", (), "limb"),
    T("Whole body bone scan", DX, "imaging", (), ""),
    T("EMG/NCS of the bilateral {ext}", DX, "emg", (), "", side="bilateral"),
    T("Nerve conduction study of the {lr} {ext1}", DX, "emg", (), ""),
    T("EMG/NCV of the {lr} leg", DX, "emg", (), "", regions=("lower extremity",)),
    T("Urine drug screen", DX, "lab", (), ""),
    T("Urine toxicology screening", DX, "lab", (), ""),
    T("Comprehensive metabolic panel", DX, "lab", (), ""),
    T("TENS unit purchase", DM, "tens", (), ""),
    T("TENS unit {n}-day rental", DM, "tens", (30, 60), "", quantity="n days"),
    T("TENS unit rental for {n} days", DM, "tens", (30, 60), "", quantity="n days"),
    T("Interferential current stimulator unit rental", DM, "tens", (), ""),
    T("Lumbar support brace", DM, "brace", (), "lumbar spine", regions=("lumbar spine",)),
    T("Custom brace for the {reg}", DM, "brace", (), "limb"),
    T("Custom orthotics for both feet", DM, "brace", (), "", regions=("foot",),
      side="bilateral"),
    T("Cold therapy unit rental for {n} days", DM, "dme", (7, 14, 30), "", quantity="n days"),
    T("Hot/cold therapy unit purchase", DM, "dme", (), ""),
    T("Cervical pillow", DM, "brace", (), "cervical spine", regions=("cervical spine",)),
    T("Shower chair purchase", DM, "dme", (), ""),
    T("Home exercise kit", DM, "dme", (), ""),
    T("Front-wheeled walker", DM, "dme", (), ""),
    T("Orthopedic surgeon consultation", C.EVALUATION, "consult", (), ""),
    T("Pain management consultation", C.EVALUATION, "consult", (), ""),
    T("Referral to a spine specialist", C.EVALUATION, "consult", (), "spine"),
    T("Internal medicine consultation", C.EVALUATION, "consult", (), ""),
    T("Follow-up office visit with the treating physician", C.EVALUATION, "consult", (), ""),
    T("Functional capacity evaluation", C.EVALUATION, "consult", (), ""),
    T("Pre-operative medical clearance", C.EVALUATION, "consult", (), ""),
    T("{Side} {lvl} epidural steroid injection", C.INJECTIONS, "injection", (), "spine"),
    T("{Side} {lvl} transforaminal epidural steroid injection", C.INJECTIONS, "injection", (),
      "spine"),
    T("Lumbar epidural steroid injection {lvl}", C.INJECTIONS, "injection", (), "lumbar spine",
      regions=("lumbar spine",)),
    T("{Side} sacroiliac joint injection", C.INJECTIONS, "injection", (), "lumbar spine",
      regions=("lumbar spine",)),
    T("Bilateral {lvl} medial branch block", C.INJECTIONS, "injection", (), "spine",
      side="bilateral"),
    T("Radiofrequency ablation at {lvl}", C.INJECTIONS, "injection", (), "spine"),
    T("Trigger point injections to the {reg}", C.INJECTIONS, "injection", (), ""),
    T("Trigger point injections with lidocaine to the {reg}", C.INJECTIONS, "injection", (), "",
      ("lidocaine",)),
    T("Corticosteroid injection to the {reg}", C.INJECTIONS, "injection", (), "limb"),
    T("Kenalog injection to the {reg}", C.INJECTIONS, "injection", (), "limb",
      ("triamcinolone",)),
    T("Toradol 60mg intramuscular injection", C.INJECTIONS, "injection", (), "", ("ketorolac",)),
    T("Platelet rich plasma injection to the {reg}", C.INJECTIONS, "injection", (), "limb"),
    T("{Spine} decompression and fusion at {lvl}", C.SURGERY, "surgery", (), "spine"),
    T("Laminectomy and discectomy at {lvl}", C.SURGERY, "surgery", (), "spine"),
    T("Spinal cord stimulator trial", C.SURGERY, "surgery", (), "spine"),
    T("Arthroscopic debridement of the {reg}", C.SURGERY, "surgery", (), "limb"),
    T("{Side} carpal tunnel release", C.SURGERY, "surgery", (), "{side} wrist",
      regions=("wrist",)),
    T("Total knee replacement of the {reg}", C.SURGERY, "surgery", (), "{side} knee"),
    T("Assistant surgeon", C.SURGERY, "surgery", (), ""),
    T("Cognitive behavioral therapy {n} sessions", C.PSYCH, "psych", (6, 8, 10, 12), "",
      quantity="n sessions"),
    T("Psychotherapy {n} sessions", C.PSYCH, "psych", (6, 8, 12), "", quantity="n sessions"),
    T("Psychological evaluation", C.PSYCH, "psych", (), ""),
    T("Psychiatric consultation", C.PSYCH, "psych", (), ""),
    T("Functional restoration program {n} hours", C.PROGRAMS, "program", (80, 160), "",
      quantity="n hours"),
    T("Functional restoration program, {n} weeks", C.PROGRAMS, "program", (2, 4, 6), "",
      quantity="n weeks"),
    T("Weight loss program", C.PROGRAMS, "program", (), ""),
    T("Gym membership for {n} months", C.PROGRAMS, "program", (3, 6, 12), "",
      quantity="n months"),
    T("{n}-month gym membership", C.PROGRAMS, "program", (3, 6), "", quantity="n months"),
    T("Work hardening program {n} sessions", C.PROGRAMS, "program", (10, 12), "",
      quantity="n sessions"),
    T("Home health aide {n} hours per week", C.HOME_HEALTH, "support", (10, 20, 28), "",
      quantity="n hours"),
    T("Home health aide {n} hours per week for {w} weeks", C.HOME_HEALTH, "support",
      (10, 20), "", quantity="nw hours"),
    T("Housekeeping assistance {n} hours per week", C.HOME_HEALTH, "support", (3, 4, 6), "",
      quantity="n hours"),
    T("Transportation to and from medical appointments", C.TRANSPORTATION, "support", (), ""),
    T("Round-trip taxi transportation to physical therapy", C.TRANSPORTATION, "support", (),
      ""),
    T("Ergonomic keyboard", C.OTHER, "support", (), ""),
    T("Stair lift installation", C.OTHER, "support", (), ""),
    T("Vocational rehabilitation services", C.OTHER, "support", (), ""),
)

# The long tail of a real archive's vocabulary (drug and device names, places, surnames,
# misspellings): words made from these syllables, drawn by a power law over a million ranks
# (see ``cases.synthetic.tail.tail_words``). Their only purpose is the index's statistics.
TAIL_ONSETS: tuple[str, ...] = (
    "b", "br", "c", "cl", "d", "dr", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "pr", "qu",
    "r", "s", "st", "t", "tr", "v", "z",
)
TAIL_VOWELS: tuple[str, ...] = ("a", "e", "i", "o", "u", "ae", "io", "y")
TAIL_ENDINGS: tuple[str, ...] = (
    "ex", "ol", "ine", "ide", "ast", "um", "ar", "on", "is", "ent", "ax", "oril", "avir",
    "etta", "ock", "uzz",
)
