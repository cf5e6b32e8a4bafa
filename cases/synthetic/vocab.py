"""Word tables for the synthetic IMR letter generator: specialties, states, regions, treatments.

Only plain facts (specialty, state, drug and guideline names) follow the real letters; the
sentences live in ``cases.synthetic.prose``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
# (template, intended category, rationale topic, counts for {n}/{nw}/{Nw}, where: ""/kind/phrase)
TREATMENTS: tuple[tuple[str, Category, str, tuple[int, ...], str], ...] = (
    ("Norco 10/325mg #{n}", C.PHARMACEUTICALS, "opioid", D4, ""),
    ("Hydrocodone/APAP 10/325mg #{n}", C.PHARMACEUTICALS, "opioid", D4, ""),
    ("Oxycodone 10mg #{n}", C.PHARMACEUTICALS, "opioid", D4, ""),
    ("Tramadol ER 150mg #{n}", C.PHARMACEUTICALS, "opioid", D6, ""),
    ("Percocet 10/325mg #{n}", C.PHARMACEUTICALS, "opioid", D4, ""),
    ("Butrans patch 10mcg/hr #{n}", C.PHARMACEUTICALS, "opioid", (4, 8), ""),
    ("Cyclobenzaprine 7.5mg #{n}", C.PHARMACEUTICALS, "relaxant", D6, ""),
    ("Tizanidine 4mg #{n}", C.PHARMACEUTICALS, "relaxant", D6, ""),
    ("Baclofen 10mg #{n}", C.PHARMACEUTICALS, "relaxant", D6, ""),
    ("Soma 350mg #{n}", C.PHARMACEUTICALS, "relaxant", D6, ""),
    ("Methocarbamol 750mg #{n}", C.PHARMACEUTICALS, "relaxant", D6, ""),
    ("Gabapentin 600mg #{n}", C.PHARMACEUTICALS, "neuropathic", D6, ""),
    ("Lyrica 75mg #{n}", C.PHARMACEUTICALS, "neuropathic", D6, ""),
    ("Duloxetine 60mg #{n}", C.PHARMACEUTICALS, "neuropathic", (30, 60), ""),
    ("Naproxen sodium 550mg #{n}", C.PHARMACEUTICALS, "nsaid", D6, ""),
    ("Meloxicam 15mg #{n}", C.PHARMACEUTICALS, "nsaid", D6, ""),
    ("Celebrex 200mg #{n}", C.PHARMACEUTICALS, "nsaid", D6, ""),
    ("Diclofenac sodium ER 100mg #{n}", C.PHARMACEUTICALS, "nsaid", D6, ""),
    ("Omeprazole 20mg #{n}", C.PHARMACEUTICALS, "gi", D6, ""),
    ("Pantoprazole 40mg #{n}", C.PHARMACEUTICALS, "gi", D6, ""),
    ("Ondansetron 8mg #{n}", C.PHARMACEUTICALS, "gi", (10, 20, 30), ""),
    ("Lidoderm 5% patch #{n}", C.PHARMACEUTICALS, "topical", D6, ""),
    ("Terocin patches #{n}", C.PHARMACEUTICALS, "topical", (10, 20, 30), ""),
    ("Diclofenac 1% gel 100 grams", C.PHARMACEUTICALS, "topical", (), ""),
    ("Ketoprofen 20% cream 120gm", C.PHARMACEUTICALS, "topical", (), ""),
    ("Compounded topical cream: flurbiprofen 20%, lidocaine 5%, 180gm", C.PHARMACEUTICALS,
     "topical", (), ""),
    ("Zolpidem 10mg #{n}", C.PHARMACEUTICALS, "sleep", (15, 30), ""),
    ("Trazodone 50mg #{n}", C.PHARMACEUTICALS, "sleep", (30, 60), ""),
    ("Alprazolam 0.5mg #{n}", C.PHARMACEUTICALS, "sleep", (30, 60), ""),
    ("Theramine #{n}", C.PHARMACEUTICALS, "medfood", (60, 90, 120), ""),
    ("Sentra PM #{n}", C.PHARMACEUTICALS, "medfood", (60, 90), ""),
    ("Physical therapy {x} times a week for {w} weeks for the {reg}", C.REHABILITATION, "pt",
     (), ""),
    ("Physical therapy {n} sessions for the {reg}", C.REHABILITATION, "pt", S, ""),
    ("{Nw} sessions of physical therapy for the {reg}", C.REHABILITATION, "pt", S, ""),
    ("Additional physical therapy {x}x{w} for the {reg}", C.REHABILITATION, "pt", (), ""),
    ("Aquatic therapy {n} sessions", C.REHABILITATION, "pt", S, ""),
    ("Occupational therapy {n} sessions for the {reg}", C.REHABILITATION, "pt", S, "limb"),
    ("Chiropractic treatment {n} visits for the {reg}", C.REHABILITATION, "chiro", S, "spine"),
    ("Chiropractic manipulation {x} times a week for {w} weeks", C.REHABILITATION, "chiro", (),
     "spine"),
    ("{Nw} sessions of acupuncture", C.REHABILITATION, "acupuncture", S, ""),
    ("Acupuncture {n} sessions for the {reg}", C.REHABILITATION, "acupuncture", S, ""),
    ("Massage therapy {x} times a week for {w} weeks for the {reg}", C.REHABILITATION, "massage",
     (), ""),
    ("Myofascial release therapy {n} sessions", C.REHABILITATION, "massage", S, ""),
    ("Extracorporeal shockwave therapy for the {reg}", C.REHABILITATION, "modality", (), "limb"),
    ("Biofeedback {n} sessions", C.REHABILITATION, "modality", (4, 6, 8), ""),
    ("Mechanical traction {n} sessions", C.REHABILITATION, "modality", (6, 8, 12), "spine"),
    ("Infrared therapy {n} sessions", C.REHABILITATION, "modality", (6, 8, 12), ""),
    ("Therapeutic ultrasound {n} sessions for the {reg}", C.REHABILITATION, "modality", (6, 8),
     "limb"),
    ("MRI of the {reg} without contrast", C.DIAGNOSTIC, "imaging", (), ""),
    ("MRI of the {reg}", C.DIAGNOSTIC, "imaging", (), ""),
    ("Repeat MRI of the {reg}", C.DIAGNOSTIC, "imaging", (), ""),
    ("CT scan of the {reg}", C.DIAGNOSTIC, "imaging", (), ""),
    ("X-rays of the {reg}, {n} views", C.DIAGNOSTIC, "imaging", (2, 3, 4), ""),
    ("Diagnostic ultrasound of the {reg}", C.DIAGNOSTIC, "imaging", (), "limb"),
    ("Whole body bone scan", C.DIAGNOSTIC, "imaging", (), ""),
    ("EMG/NCS of the bilateral {ext}", C.DIAGNOSTIC, "emg", (), ""),
    ("Nerve conduction study of the {lr} {ext1}", C.DIAGNOSTIC, "emg", (), ""),
    ("Urine drug screen", C.DIAGNOSTIC, "lab", (), ""),
    ("Urine toxicology screening", C.DIAGNOSTIC, "lab", (), ""),
    ("Comprehensive metabolic panel", C.DIAGNOSTIC, "lab", (), ""),
    ("TENS unit purchase", C.DMEPOS, "tens", (), ""),
    ("TENS unit {n}-day rental", C.DMEPOS, "tens", (30, 60), ""),
    ("Interferential current stimulator unit rental", C.DMEPOS, "tens", (), ""),
    ("Lumbar support brace", C.DMEPOS, "brace", (), "lumbar spine"),
    ("Custom brace for the {reg}", C.DMEPOS, "brace", (), "limb"),
    ("Cold therapy unit rental for {n} days", C.DMEPOS, "dme", (7, 14, 30), ""),
    ("Hot/cold therapy unit purchase", C.DMEPOS, "dme", (), ""),
    ("Cervical pillow", C.DMEPOS, "brace", (), "cervical spine"),
    ("Shower chair purchase", C.DMEPOS, "dme", (), ""),
    ("Home exercise kit", C.DMEPOS, "dme", (), ""),
    ("Front-wheeled walker", C.DMEPOS, "dme", (), ""),
    ("Orthopedic surgeon consultation", C.EVALUATION, "consult", (), ""),
    ("Pain management consultation", C.EVALUATION, "consult", (), ""),
    ("Referral to a spine specialist", C.EVALUATION, "consult", (), "spine"),
    ("Internal medicine consultation", C.EVALUATION, "consult", (), ""),
    ("Follow-up office visit with the treating physician", C.EVALUATION, "consult", (), ""),
    ("Functional capacity evaluation", C.EVALUATION, "consult", (), ""),
    ("Pre-operative medical clearance", C.EVALUATION, "consult", (), ""),
    ("{Side} {lvl} epidural steroid injection", C.INJECTIONS, "injection", (), "spine"),
    ("{Side} {lvl} transforaminal epidural steroid injection", C.INJECTIONS, "injection", (),
     "spine"),
    ("Bilateral {lvl} medial branch block", C.INJECTIONS, "injection", (), "spine"),
    ("Radiofrequency ablation at {lvl}", C.INJECTIONS, "injection", (), "spine"),
    ("Trigger point injections to the {reg}", C.INJECTIONS, "injection", (), ""),
    ("Corticosteroid injection to the {reg}", C.INJECTIONS, "injection", (), "limb"),
    ("Platelet rich plasma injection to the {reg}", C.INJECTIONS, "injection", (), "limb"),
    ("{Spine} decompression and fusion at {lvl}", C.SURGERY, "surgery", (), "spine"),
    ("Laminectomy and discectomy at {lvl}", C.SURGERY, "surgery", (), "spine"),
    ("Spinal cord stimulator trial", C.SURGERY, "surgery", (), "spine"),
    ("Arthroscopic debridement of the {reg}", C.SURGERY, "surgery", (), "limb"),
    ("{Side} carpal tunnel release", C.SURGERY, "surgery", (), "{side} wrist"),
    ("Total knee replacement of the {reg}", C.SURGERY, "surgery", (), "{side} knee"),
    ("Assistant surgeon", C.SURGERY, "surgery", (), ""),
    ("Cognitive behavioral therapy {n} sessions", C.PSYCH, "psych", (6, 8, 10, 12), ""),
    ("Psychotherapy {n} sessions", C.PSYCH, "psych", (6, 8, 12), ""),
    ("Psychological evaluation", C.PSYCH, "psych", (), ""),
    ("Psychiatric consultation", C.PSYCH, "psych", (), ""),
    ("Functional restoration program {n} hours", C.PROGRAMS, "program", (80, 160), ""),
    ("Weight loss program", C.PROGRAMS, "program", (), ""),
    ("Gym membership for {n} months", C.PROGRAMS, "program", (3, 6, 12), ""),
    ("Work hardening program {n} sessions", C.PROGRAMS, "program", (10, 12), ""),
    ("Home health aide {n} hours per week", C.HOME_HEALTH, "support", (10, 20, 28), ""),
    ("Housekeeping assistance {n} hours per week", C.HOME_HEALTH, "support", (3, 4, 6), ""),
    ("Transportation to and from medical appointments", C.TRANSPORTATION, "support", (), ""),
    ("Round-trip taxi transportation to physical therapy", C.TRANSPORTATION, "support", (), ""),
    ("Ergonomic keyboard", C.OTHER, "support", (), ""),
    ("Stair lift installation", C.OTHER, "support", (), ""),
    ("Vocational rehabilitation services", C.OTHER, "support", (), ""),
)

# The long tail of a real archive's vocabulary (drug and device names, places, surnames,
# misspellings): words made from these syllables, drawn by a power law over a million ranks
# (see ``cases.synthetic.letters.tail_words``). Their only purpose is the index's statistics.
TAIL_ONSETS: tuple[str, ...] = (
    "b", "br", "c", "cl", "d", "dr", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "pr", "qu",
    "r", "s", "st", "t", "tr", "v", "z",
)
TAIL_VOWELS: tuple[str, ...] = ("a", "e", "i", "o", "u", "ae", "io", "y")
TAIL_ENDINGS: tuple[str, ...] = (
    "ex", "ol", "ine", "ide", "ast", "um", "ar", "on", "is", "ent", "ax", "oril", "avir",
    "etta", "ock", "uzz",
)
