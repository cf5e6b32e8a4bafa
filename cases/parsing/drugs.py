"""Drug names in a treatment heading, as lowercase generic (INN) ingredient names.

The whole dictionary is the ``TABLE`` below, one name a line: a generic name alone, or a
name (brand, abbreviation, compounding kit, medical food) and the ingredients it stands for.
Salts and forms are never listed: "hydrocodone bitartrate" and "tramadol ER" are found
through "hydrocodone" and "tramadol". A product that no public drug list resolves (a
proprietary compound, a medical food) stands for itself, lowercased.

Decisions where the spec is silent: a strength implies no ingredient ("Hydrocodone 10/325"
is ``hydrocodone`` alone; "Norco 10/325" names both through the brand); a brand sold in
several formulations keeps its own name (Salonpas); a compounding kit gives its active drug
(Synapryn ``tramadol``, Tabradol ``cyclobenzaprine``), not its base; "cortisone" and
"steroid" in an injection's name say the kind of injection, not a drug, and platelet-rich
plasma is no drug.

Why a hand-kept table and not ``drug-named-entity-recognition`` (PyPI 2.0.9, an offline
dictionary with brand links), measured on the 285 disputed items of the 147 shared real
letters against their hand labels: the library found 46 of the 71 ingredient mentions (40 of
the 58 drug items exactly), this table 71 (58). This table was written with those headings
in view, so its figure is a fit; the library's misses are not: it knows none of Norco,
Soma, capsaicin, menthol, Lorzone or the compounding kits, and names some ingredients by
form ("lidocaine patch", "butalbital/acetaminophen" for Fioricet's three). It also costs
2-3 s of import and 355 MB of memory in every process that parses (import workers, web
workers), against 0.07 s and 7 MB; its brand links would have needed this table beside it
for the commonest workers' compensation drugs anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# name: ingredients (comma-separated); a name alone is a generic name standing for itself.
TABLE = """
# Opioids and their combinations
buprenorphine
codeine
fentanyl
hydrocodone
hydromorphone
methadone
morphine
naloxone
naltrexone
oxycodone
oxymorphone
tapentadol
tramadol
apap: acetaminophen
acetaminophen
paracetamol: acetaminophen
belbuca: buprenorphine
butrans: buprenorphine
conzip: tramadol
dilaudid: hydromorphone
duragesic: fentanyl
embeda: morphine, naltrexone
endocet: acetaminophen, oxycodone
hysingla: hydrocodone
kadian: morphine
lortab: acetaminophen, hydrocodone
ms contin: morphine
norco: acetaminophen, hydrocodone
nucynta: tapentadol
opana: oxymorphone
oxycontin: oxycodone
percocet: acetaminophen, oxycodone
roxicodone: oxycodone
suboxone: buprenorphine, naloxone
tylenol: acetaminophen
tylenol #3: acetaminophen, codeine
tylenol #4: acetaminophen, codeine
tylenol no 3: acetaminophen, codeine
tylenol with codeine: acetaminophen, codeine
ultracet: acetaminophen, tramadol
ultram: tramadol
vicodin: acetaminophen, hydrocodone
xtampza: oxycodone
zohydro: hydrocodone
zubsolv: buprenorphine, naloxone
# Muscle relaxants
baclofen
carisoprodol
chlorzoxazone
cyclobenzaprine
dantrolene
metaxalone
methocarbamol
orphenadrine
tizanidine
amrix: cyclobenzaprine
fexmid: cyclobenzaprine
flexeril: cyclobenzaprine
lioresal: baclofen
lorzone: chlorzoxazone
norflex: orphenadrine
parafon forte: chlorzoxazone
robaxin: methocarbamol
skelaxin: metaxalone
soma: carisoprodol
zanaflex: tizanidine
# Antiepileptics and antidepressants
amitriptyline
bupropion
carbamazepine
citalopram
desipramine
duloxetine
escitalopram
fluoxetine
lamotrigine
levetiracetam
milnacipran
mirtazapine
nortriptyline
oxcarbazepine
paroxetine
pregabalin
sertraline
topiramate
trazodone
venlafaxine
gabapentin
celexa: citalopram
cymbalta: duloxetine
desyrel: trazodone
effexor: venlafaxine
elavil: amitriptyline
gralise: gabapentin
horizant: gabapentin
lexapro: escitalopram
lyrica: pregabalin
neurontin: gabapentin
pamelor: nortriptyline
prozac: fluoxetine
remeron: mirtazapine
savella: milnacipran
topamax: topiramate
wellbutrin: bupropion
zoloft: sertraline
# Anti-inflammatories
aspirin
celecoxib
diclofenac
diflunisal
etodolac
fenoprofen
flurbiprofen
ibuprofen
indomethacin
ketoprofen
ketorolac
meloxicam
nabumetone
naproxen
oxaprozin
piroxicam
salsalate
sulindac
advil: ibuprofen
aleve: naproxen
anaprox: naproxen
arthrotec: diclofenac, misoprostol
celebrex: celecoxib
daypro: oxaprozin
duexis: famotidine, ibuprofen
feldene: piroxicam
flector: diclofenac
indocin: indomethacin
lodine: etodolac
mobic: meloxicam
motrin: ibuprofen
nalfon: fenoprofen
naprosyn: naproxen
pennsaid: diclofenac
relafen: nabumetone
toradol: ketorolac
vimovo: esomeprazole, naproxen
voltaren: diclofenac
zipsor: diclofenac
# Stomach, bowel and nausea
dexlansoprazole
docusate
esomeprazole
famotidine
lansoprazole
lubiprostone
methylnaltrexone
metoclopramide
misoprostol
naloxegol
omeprazole
ondansetron
pantoprazole
promethazine
rabeprazole
ranitidine
sennosides
sucralfate
aciphex: rabeprazole
amitiza: lubiprostone
carafate: sucralfate
colace: docusate
cytotec: misoprostol
dexilant: dexlansoprazole
movantik: naloxegol
nexium: esomeprazole
pepcid: famotidine
phenergan: promethazine
prevacid: lansoprazole
prilosec: omeprazole
protonix: pantoprazole
reglan: metoclopramide
relistor: methylnaltrexone
senna: sennosides
senokot: sennosides
zantac: ranitidine
zofran: ondansetron
# Sleep and anxiety
alprazolam
buspirone
clonazepam
diazepam
diphenhydramine
eszopiclone
hydroxyzine
lorazepam
melatonin
quetiapine
ramelteon
suvorexant
temazepam
zaleplon
zolpidem
ambien: zolpidem
atarax: hydroxyzine
ativan: lorazepam
belsomra: suvorexant
buspar: buspirone
klonopin: clonazepam
lunesta: eszopiclone
restoril: temazepam
rozerem: ramelteon
seroquel: quetiapine
sonata: zaleplon
valium: diazepam
vistaril: hydroxyzine
xanax: alprazolam
# Topical ingredients and products
benzocaine
bupivacaine
camphor
capsaicin
lidocaine
menthol
methyl salicylate
prilocaine
trolamine salicylate
anecream: lidocaine
biofreeze: menthol
lidoderm: lidocaine
lidopro: capsaicin, lidocaine, menthol, methyl salicylate
marcaine: bupivacaine
mentherm: menthol, methyl salicylate
qutenza: capsaicin
terocin: lidocaine, menthol
xylocaine: lidocaine
zostrix: capsaicin
dendracin: benzocaine, menthol, methyl salicylate
flurflex: cyclobenzaprine, flurbiprofen
keratek: menthol, methyl salicylate
medrox: capsaicin, menthol, methyl salicylate
# Steroids, injectables and others
betamethasone
butalbital
caffeine
dexamethasone
methylprednisolone
prednisone
sildenafil
sumatriptan
tadalafil
testosterone
triamcinolone
botox: onabotulinumtoxina
cialis: tadalafil
decadron: dexamethasone
depo-medrol: methylprednisolone
esgic: acetaminophen, butalbital, caffeine
fioricet: acetaminophen, butalbital, caffeine
fiorinal: aspirin, butalbital, caffeine
imitrex: sumatriptan
kenalog: triamcinolone
medrol: methylprednisolone
synvisc: hylan g-f 20
viagra: sildenafil
# Compounding kits: an active ingredient in a suspension or cream base
cyclophene: cyclobenzaprine
deprizine: ranitidine
dicopanol: diphenhydramine
fanatrex: gabapentin
ketophene: ketoprofen
synapryn: tramadol
tabradol: cyclobenzaprine
# Proprietary products whose ingredients no public list resolves: their own names
salonpas: salonpas
# Medical foods
apptrim: apptrim
gabadone: gabadone
percura: percura
sentra am: sentra am
sentra pm: sentra pm
theramine: theramine
somnicin: somnicin
trepadone: trepadone
"""


def _parse(table: str) -> dict[str, tuple[str, ...]]:
    names: dict[str, tuple[str, ...]] = {}
    for line in table.strip().splitlines():
        if line.startswith("#"):
            continue
        name, _, ingredients = line.partition(":")
        names[name.strip()] = tuple(i.strip() for i in ingredients.split(",")) if ingredients \
            else (name.strip(),)
    return names


DRUG_NAMES = _parse(TABLE)


def _key(name: str) -> str:
    return "".join(_words(name))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9#]+", text.lower())


# Names are looked up by their words run together, so spaces, hyphens and slashes inside a
# name do not matter ("MS-Contin", "Depo Medrol"); the longest name at a word wins.
_BY_KEY = {_key(name): ingredients for name, ingredients in DRUG_NAMES.items()}
_MOST_WORDS = max(len(_words(name)) for name in DRUG_NAMES)


@lru_cache(maxsize=4096)
def find_drugs(text: str) -> tuple[str, ...]:
    """The generic ingredient names that ``text`` names, sorted, each once."""
    words = _words(text)
    found: set[str] = set()
    start = 0
    while start < len(words):
        for size in range(min(_MOST_WORDS, len(words) - start), 0, -1):
            ingredients = _BY_KEY.get("".join(words[start : start + size]))
            if ingredients:
                found.update(ingredients)
                start += size
                break
        else:
            start += 1
    return tuple(sorted(found))


ADJUVANTS = frozenset({"acetaminophen"})  # in combinations, beside the drug that names them


def principal_drugs(ingredients: Iterable[str]) -> frozenset[str]:
    """The drugs a combination is known by: its ingredients but acetaminophen, unless
    acetaminophen is all there is (Norco is hydrocodone; Tylenol is acetaminophen)."""
    found = frozenset(ingredients)
    return found - ADJUVANTS or found
