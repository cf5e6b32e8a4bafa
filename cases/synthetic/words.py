"""The long tail of the sample letters' vocabulary, in real words: the jobs, past illnesses
and operations, other medications and documents a clinical case summary names. Written for
this project from general knowledge (no letter's text); each list is ordered from the most
to the least common, as ``cases.synthetic.tail.real_words`` draws them by rank.

The benchmark's letters draw made-up words instead (``vocab.TAIL_ONSETS``), whose power law
over a million ranks gives the index the statistics of a large archive.
"""

from __future__ import annotations

# With their article: "She works as {job}."
JOBS: tuple[str, ...] = (
    "a warehouse associate", "a truck driver", "a registered nurse", "a certified nursing "
    "assistant", "a janitor", "a cashier", "a correctional officer", "a police officer",
    "a firefighter", "a farmworker", "a home health aide", "a delivery driver", "a cook",
    "a housekeeper", "a construction laborer", "a forklift operator", "a school teacher",
    "a security guard", "a machine operator", "a caregiver", "a bus driver", "a mechanic",
    "an electrician", "a landscaper", "a grocery clerk", "a medical assistant", "a carpenter",
    "a plumber", "a welder", "a roofer", "a dishwasher", "a stocker", "a packer",
    "an assembler", "a sales associate", "a receptionist", "an office manager", "a paramedic",
    "a sheriff's deputy", "a mail carrier", "a baggage handler", "a flight attendant",
    "a meat cutter", "a baker", "a painter", "a drywall installer", "a concrete finisher",
    "a heavy equipment operator", "a crane operator", "a groundskeeper", "a custodian",
    "a school bus driver", "an emergency medical technician", "a parking enforcement officer",
    "a tree trimmer", "a pool technician", "an automotive technician", "a tire installer",
    "a glazier", "a sheet metal worker", "an ironworker", "a pipefitter",
    "an HVAC technician", "a cable installer", "a data entry clerk", "a bank teller",
    "a pharmacy technician", "a phlebotomist", "a radiology technician",
    "a psychiatric technician", "a hospital orderly", "a laundry attendant",
    "a hotel housekeeper", "a casino dealer", "a valet attendant", "a stagehand",
    "a carpet installer", "a tile setter", "a mover", "a recycling sorter",
    "a sanitation worker", "a water treatment operator", "a vineyard worker",
    "a fruit packer", "a dairy worker", "a poultry processor", "a cannery worker",
    "a seamstress", "an upholsterer", "a cabinet maker", "a printing press operator",
    "an inventory clerk", "a shipping clerk", "an order picker",
    "a call center representative", "a social worker", "a probation officer", "a lifeguard",
    "a park ranger", "an instructional aide", "a cafeteria worker", "a line cook",
    "a barista", "a dental hygienist", "a veterinary technician", "a locksmith",
    "a surveyor", "a court reporter", "a librarian", "a night auditor", "a bartender",
    "a hairstylist", "a pest control technician", "a solar panel installer",
)
CONDITIONS: tuple[str, ...] = (
    "hypertension", "diabetes mellitus", "hyperlipidemia", "obesity", "asthma",
    "gastroesophageal reflux", "hypothyroidism", "sleep apnea", "migraine headaches",
    "seasonal allergies", "anemia", "gout", "osteoarthritis of the hands", "prediabetes",
    "kidney stones", "irritable bowel syndrome", "fibromyalgia", "rheumatoid arthritis",
    "psoriasis", "eczema", "glaucoma", "cataracts", "atrial fibrillation",
    "coronary artery disease", "chronic obstructive pulmonary disease", "hepatitis C",
    "osteoporosis", "bipolar disorder", "post-traumatic stress disorder", "panic disorder",
    "tobacco use", "sinusitis", "diverticulitis", "varicose veins", "deep vein thrombosis",
    "peripheral neuropathy", "restless legs syndrome", "vertigo", "tinnitus",
    "hearing loss", "plantar warts", "chronic kidney disease", "fatty liver disease",
    "benign prostatic hyperplasia", "endometriosis", "polycystic ovary syndrome",
    "thyroid nodules", "Bell's palsy", "shingles", "lupus", "ulcerative colitis",
    "Crohn's disease", "celiac disease", "hemochromatosis", "sarcoidosis", "scoliosis",
    "congestive heart failure", "pulmonary embolism", "mitral valve prolapse",
    "Raynaud phenomenon",
)
SURGERIES: tuple[str, ...] = (
    "an appendectomy", "a cholecystectomy", "a hysterectomy", "a tonsillectomy",
    "a cesarean section", "an inguinal hernia repair", "a knee arthroscopy",
    "a rotator cuff repair", "a carpal tunnel release", "a tubal ligation", "a vasectomy",
    "a gastric bypass", "a coronary stent placement", "a thyroidectomy", "a septoplasty",
    "a cataract extraction", "a bunionectomy", "an umbilical hernia repair",
    "an anterior cruciate ligament reconstruction", "a trigger finger release",
    "a ganglion cyst excision", "a lumpectomy", "a hemorrhoidectomy", "a sinus surgery",
    "an open reduction and internal fixation of the wrist", "a total hip replacement",
    "a spinal fusion", "a kidney stone removal", "a dental implant", "a wisdom tooth extraction",
)
MEDICATIONS: tuple[str, ...] = (
    "lisinopril", "metformin", "atorvastatin", "amlodipine", "levothyroxine", "losartan",
    "omeprazole", "simvastatin", "hydrochlorothiazide", "metoprolol", "albuterol",
    "sertraline", "ibuprofen", "acetaminophen", "aspirin", "fluoxetine", "escitalopram",
    "citalopram", "bupropion", "venlafaxine", "amitriptyline", "nortriptyline",
    "insulin glargine", "glipizide", "pravastatin", "warfarin", "apixaban", "cetirizine",
    "loratadine", "fluticasone", "montelukast", "famotidine", "docusate", "senna",
    "tamsulosin", "finasteride", "prednisone", "allopurinol", "colchicine", "hydroxyzine",
    "buspirone", "clonazepam", "lorazepam", "quetiapine", "aripiprazole", "topiramate",
    "sumatriptan", "propranolol", "carvedilol", "furosemide", "spironolactone",
    "clopidogrel", "rosuvastatin", "pioglitazone", "sitagliptin", "empagliflozin",
    "vitamin D", "folic acid", "ferrous sulfate", "magnesium oxide", "melatonin",
    "diphenhydramine", "meclizine", "valacyclovir", "doxycycline", "nitrofurantoin",
    "estradiol", "medroxyprogesterone", "lamotrigine", "mirtazapine",
)
DOCUMENTS: tuple[str, ...] = (
    "the primary treating physician's progress reports", "the utilization review "
    "determination", "the request for authorization", "physical therapy notes",
    "pharmacy records", "an MRI report", "a qualified medical evaluator's report",
    "the employer's first report of injury", "chiropractic notes", "acupuncture notes",
    "an electrodiagnostic study report", "an agreed medical evaluator's report",
    "urine toxicology results", "a functional capacity evaluation", "operative reports",
    "emergency department records", "a job description", "psychological testing",
    "a peer-to-peer conversation summary", "a vocational rehabilitation report",
    "an ergonomic evaluation", "laboratory results", "a pain management consultation",
    "a neurosurgical consultation", "radiographs", "a CT report", "a bone scan report",
    "nerve conduction study results", "an internal medicine consultation",
    "home exercise program instructions", "a work status report", "deposition excerpts",
)
