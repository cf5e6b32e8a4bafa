"""The table of reasons: each reason's code, label, decision and the phrases that show it."""

from __future__ import annotations

from dataclasses import dataclass

UPHELD = "Upheld"
OVERTURNED = "Overturned"


@dataclass(frozen=True)
class Reason:
    """One reason for an item's decision, with the rationale sentence that gave it."""

    code: str
    label: str
    sentence: str
    start: int  # rationale[start:end] == sentence
    end: int


@dataclass(frozen=True)
class ReasonRule:
    """A reason, the decision it explains and the phrases that show it (see ``REASONS``)."""

    code: str
    label: str
    decision: str
    phrases: tuple[str, ...]
    verdicts: tuple[str, ...] = ()
    generic: bool = False
    # (limit, use): a guideline's limit, read in any sentence, applied by a case sentence
    # that shows the patient's use already past it; the reason is marked on the case sentence.
    applied: tuple[tuple[str, str], ...] = ()
    # Codes whose overlapping phrase gives this reason's phrase a narrower reading.
    yields_to: tuple[str, ...] = ()
    # Whether the provider's missing rationale for the request is this reason, not a gap of
    # its own ("no rationale for visits beyond the guideline" is the excess alone).
    covers_rationale: bool = False


# Phrases are case-insensitive regular expressions; a space stands for any whitespace (outside
# [brackets]), and four shorthands keep them readable:
#   {NEG}   a negation cue: "no", "not", "lack of", "without", "failed to", "unclear", ...
#   " ... " a gap of up to 200 characters in the clause, with no nearer negation cue
#   " ~ "   a gap of up to five words in the clause
#   {W}     any word but a negation
# What prior treatment should have brought. "Benefit" after "to" or "would" is a hope, not an
# outcome, and before "over" a comparison of drugs; bare "efficacy" is as often the
# literature's ("no evidence of efficacy").
_FI_TARGET = (
    r"(?:(?:objective|functional|significant|measurable|meaningful|sustained|clinical|"
    r"quantif\w+|subjective|documented|any) )*(?:(?<!medical\s)improve\w*|(?<=clinical\s)"
    r"progress(?:ion)?|(?<!to\s)(?<!would\s)(?<!will\s)benefit\w*(?! (?:over|compared)\b)|"
    r"gains?|pain relief|relief (?:with|from)|increased? (?:in )?function\w*|(?:decrease|"
    r"reduction|decreased) in pain|response to (?:the )?(?:prior|previous|past|earlier|"
    r"initial|recent|ongoing|current|therapy|treatment|medications?|"
    r"sessions|visits|injections?|acupuncture|chiropractic|PT)|(?:medication|treatment|drug) "
    r"efficacy|efficacy (?:of|with|from) (?:the )?(?:\w+ )?(?:medication|treatment|therapy|"
    r"prior|previous))")
_NOT_SHOWN = (
    r"(?:(?:is|are|was|were|has|have|had|could|can|did|does|do)(?: been)? (?:not|n't)|cannot) "
    r"(?:be |been )?(?:clearly )?(?:documented|provided|established|noted|indicated|"
    r"demonstrated|reported|evident|quantified|objectified|shown|described|apparent|included|"
    r"specified|stated|submitted|given|mentioned|addressed|outlined|identified|detailed|"
    r"explained|clarified|substantiated|available)")
_EVIDENCE = (
    r"(?:insufficient|little|limited|inconclusive|conflicting|weak|no|lack of|absence of) "
    r"(?:\w+ ){0,2}(?:evidence|literature|data|studies|trials) (?:exists )?(?:to support "
    r"(?:the |its |their )?(?:routine )?use|supporting (?:the |its )?use|for (?:the |its )?"
    r"(?:use|efficacy|effectiveness|benefit)|to (?:determine|establish) (?:the |its )?"
    r"(?:efficacy|effectiveness)|of (?:its )?(?:efficacy|effectiveness)|(?:that|showing) "
    r"(?:\w+ ){0,8}(?:effective|efficacious|superior|beneficial))",
    r"evidence (?:\w+ ){0,2}(?:does|do) not support (?:the )?(?:effectiveness|efficacy|use)",
    r"(?:no|insufficient|little) (?:\w+ )?evidence to recommend",
    r"insufficient evidence exists",
    r"lack of (?:sufficient )?(?:literature|scientific|published) evidence",
    r"(?:is|are|remains?|considered|largely|be|still) (?:\w+ )?(?:experimental|investigational|"
    r"questionable|under ?study|under investigation|being studied)",
    # Ranked below the others of its class: the weakest case for it, not only a weak one.
    r"(?:the )?(?:least|weakest|poorest|lowest) (?:(?:amount|quality|level) of )?(?:\w+ )?"
    r"(?:evidence|data|support)",
    r"not FDA[- ]approved",
)
# A non-recommendation with a condition ("not recommended for longer than 3 weeks", "... as a
# primary treatment", "routine use is not recommended") is a criterion, not a verdict; "if",
# "but" and their kind make one only after it.
_FLAT = (r"^(?!.*\b(?:beyond|longer|more than|routine\w*|primary|first[- ]line|prior to|before|"
         r"after|absence|in patients|for patients|over|sole|alone|initial|long[- ]?term|"
         r"longterm|prolonged|chronic use|extended|ongoing|continued)\b)(?!.*\bnot (?:\w+ )?"
         r"recommend\w*\b.*\b(?:unless|except|until|if|when|without|but)\b).*\b")
_IMAGING = (r"(?:CT|MRI|MRA|x-?rays?|radiographs?|plain films?|ultrasound|ultrasonography|"
            r"sonograms?|bone scans?|myelogra\w*|arthrogra\w*)")
# "No exceptional factors justify going past the guideline": a remark on excess, no gap.
STOCK_REMARK = (r"(?:exceptional|extenuating|compelling|unusual) (?:clinical )?(?:factors|"
                r"circumstances|facts)")
_CLOSING = (r"^(?!(?:therefore|thus|hence|as such|consequently|accordingly|under these "
            r"circumstances|based on|for these reasons|in summary)\b).*?\b")

REASONS: tuple[ReasonRule, ...] = (
    ReasonRule("no_functional_improvement", "No documented functional improvement", UPHELD, (
        r"{NEG} ... " + _FI_TARGET,
        r"(?:" + _FI_TARGET + r"|efficacy|effectiveness|(?:therapy|treatment|session|visit)s? "
        r"outcomes?|outcomes? (?:of|from) (?:the )?(?:prior|previous|therapy|treatment|sessions|"
        r"visits)) ~ " + _NOT_SHOWN,
        # Further visits that wait on the response to those just authorized.
        r"(?:contingent|dependent|depend\w*) (?:up)?on (?:the )?(?:patient'?s? |documented )?"
        r"(?:response|improvement|outcome|progress)",
        r"(?:has|have|had|did|does|do|is|was|were) (?:not|n't) (?:yet )?(?:\w+ )?(?:improved|"
        r"improving|helped|alleviated|relieved|changed)",
        r"(?:which|that) (?:were|was|have|has|had) not (?:been )?(?:beneficial|helpful|"
        r"effective)",
        r"argu\w+ against ... improvement",
    )),
    ReasonRule("exceeds_guideline_quantity",
               "Exceeds the guideline's quantity, frequency or duration", UPHELD, (
        r"exceed\w*",
        r"in excess of",
        r"(?:is|are|was|were|be|being|seems?|appears?) (?:{W} )?excessive",
        r"excessive (?:number|quantity|amount|duration|frequency|supply|refills?|sessions?|"
        r"visits?)",
        r"beyond (?:the )?(?:recommended|guideline|initial|maximum|allowed)",
        r"more than (?:the )?(?:recommended|guideline|allowed|maximum)",
        r"for longer than",
        r"(?:long[- ]?term|longterm|prolonged|chronic|ongoing|continued|extended|further) "
        r"(?:use|usage) (?:\w+ ){0,3}?(?:is|are|was|were|would|will|be|been) (?:not|n't) "
        r"(?:be )?(?:recommended|supported|indicated|warranted|appropriate)",
        r"limits? (?:the )?(?:use|usage|duration|treatment) to",
        r"{NEG} (?:\w+ ){0,4}?(?:need|necessity|rationale|justification|indication) (?:[\w/]+ )"
        r"{0,6}?for (?:long[- ]?term|longterm|chronic|prolonged|extended|continued)(?:/\w+)? "
        r"(?:use|usage)",
        r"(?:continued|additional|further|ongoing|prolonged|extended|long[- ]?term) (?:\w+ ){0,3}?"
        r"(?:outside|beyond) (?:of )?(?:the )?(?:\w+ )?guidelines?",
        # The stock remark, when it names more care than the guideline allows.
        r"{NEG} (?:\w+ ){0,3}?" + STOCK_REMARK + r"(?: [\w-]+){0,6}? (?:additional|further|more|"
        r"full complement|beyond|deviat\w*|(?:\d+|\w+) (?:\w+ )?(?:sessions|visits|treatments))",
    ), applied=((
        # A limit on how long a drug is used, then a patient already using it for longer.
        r"not (?:\w+ )?(?:recommended|indicated|supported|intended) for (?:\w+ )?(?:long[- ]?"
        r"term|longterm|longer|more than|chronic|prolonged|extended)|short[- ]?(?:term|course)|"
        r"shortest (?:\w+ )?(?:period|duration|time)|(?:limits?|less than|no (?:more|longer) "
        r"than) (?:the use to )?(?:\d+|two|three|four)(?: to \d+)? weeks",
        r"(?:has|have) been (?:on|using|utilizing|taking|treated with) (?:[\w-]+ ){0,4}?"
        r"(?:chronic|long[- ]?term|prolonged)|(?:has|have) been (?:on|using|utilizing|taking|"
        r"prescribed)[^.;]{0,60}?\b(?:since|for (?:at least |over |more than )?(?:\d+|one|two|"
        r"three|four|five|six|several|many) (?:months|years))|(?:chronic|long[- ]?term) "
        r"(?:\w+ )?(?:use|usage|treatment) (?:of|with) (?:said|this|the) (?:medication|drug)",
    ),), covers_rationale=True),
    ReasonRule("not_recommended",
               "Not recommended by the guideline for this condition (or insufficient evidence)",
               UPHELD, (
        _CLOSING + r"not (?:\w+ )?(?:recommended|supported|endorsed|indicated) (?:by|per|in|"
        r"under) (?:the )?(?:\w+ ){0,3}(?:guidelines?|MTUS|ODG|ACOEM)",
        r"(?:guidelines?|MTUS|ODG|ACOEM)(?: \w+){0,2} (?:do|does|did) (?:not|n't) (?:\w+ )?"
        r"(?:recommend|support|endorse)",
        r"not (?:in accordance|consistent|compliant) with",
        # "Nothing on file justifies going outside the guidelines" is one reason, not two.
        r"(?:{NEG} ... )?outside (?:of )?(?:the )?(?:\w+ )?guidelines?",
        r"(?:non|not)[- ](?:guideline|evidence)[- ](?:supported|recommended|based)",
        r"(?:its|their) (?:use|usage) (?:is|was|would) not (?:be )?(?:supported|recommended)",
        r"contains (?:\w+ ){0,8}?(?:that|which) (?:is|are) not recommended",
        # A drug asked for before the first-line drugs have failed (not conservative care,
        # which is care without drugs).
        r"{NEG} ... (?:first[- ]line(?! conservative)|anti-?depressants?|anti-?convulsants?|"
        r"non-?opioid|oral (?:NSAIDs?|non-?steroidal|anti-inflammator\w*|medications?|"
        r"analgesics?))",
        r"{NEG} ... (?:fail\w*|tried|trials? of) (?:\w+ )?(?:other|alternative) (?:[\w-]+ )?"
        r"(?:muscle relaxants|medications|drugs|NSAIDs|agents|analgesics|opioids)",
        r"{NEG} ... (?:intoleran\w*|unable to (?:take|tolerate|use|swallow)|contraindicat\w*) "
        r"(?:\w+ ){0,3}(?:oral|first[- ]line|NSAIDs?|medications?)",
        # A drug for a diagnosis it is not meant for.
        r"{NEG} ... diagnos\w* (?:[\w-]+ ){0,4}?(?:to support|for which|that would support) "
        r"(?:the |this |its )?(?:requested |prescribed |continued )?(?:use of )?(?:the )?"
        r"(?:medication|drug|analgesic|NSAID)s?",
        # ... or for a condition the patient is not shown to have ("either of those" pointing
        # back to the disorders the guideline names as the drug's indications).
        r"(?:not|n't|never) (?:been )?diagnosed with (?:any|either|one|each) (?:of )?(?:these|"
        r"those|the (?:above|listed|named|recommended))",
        r"{NEG} ... (?:is|was|are|were) (?:currently )?being (?:treated|managed) for",
        r"{NEG} ... (?:has|have|had|with|of) (?:\w+ ){0,2}?(?:diabetic (?:painful )?"
        r"(?:neuropathy|polyneuropathy)|post-?herpetic neuralgia|fibromyalgia|osteoarthritis|"
        r"spasticity|multiple sclerosis|spinal cord injur\w*|trigeminal neuralgia)",
        # A treatment no better than the cheaper or first-line one, or an imaging method
        # other than the one the guideline prefers.
        r"{NEG} (?:additional |added |further |proven |demonstrated )?(?:benefit|advantage) "
        r"(?:over|beyond|compared (?:to|with)) (?:\w+ ){0,3}?(?:NSAIDs?|non-?steroidal|"
        r"anti-?inflammator\w*|acetaminophen|Tylenol|placebo|first[- ]line|standard|"
        r"conventional|other)",
        r"{NEG} ... " + _IMAGING + r"(?: scans?| imaging| study| studies)? (?:over|rather than|"
        r"instead of|in place of|in preference to) (?:an? |the )?" + _IMAGING,
        # Care the guideline says to avoid, or calls harmful, outside some circumstance.
        r"(?:should|must|to) be avoided|(?:is|are|be|been) (?:\w+ )?detrimental",
        # The reviewer's flat "X is not recommended", when X is what was asked for ...
        _FLAT + r"(?:request\w*|it|its use|in question|(?:this|the) (?:\w+ )?(?:medication|"
        r"treatment|procedure|modality|device|therapy|study|service|product)),? (?:\w+ ){0,3}?"
        r"(?:is|are|was|were|be)(?: also| generally| currently| deemed| considered)? "
        r"[\"\u201c]?not (?:\w+ )?recommended\b",
        # ... or a guideline's, brought in as the reviewer's argument.
        _FLAT + r"(?:in addition|additionally|also|further(?:more)?|moreover)\b.*\bnot "
        r"(?:\w+ )?recommended\b",
        *_EVIDENCE,
    ), yields_to=("exceeds_guideline_quantity",), verdicts=(
        _FLAT + r"(?:not (?:\w+ )?recommended|(?:do|does) not recommend)\b",
        *_EVIDENCE,
    )),
    ReasonRule("conservative_care", "Conservative care not tried or its failure not documented",
               UPHELD, (
        r"{NEG} ... (?:conservative|less invasive|non-?operative|non-?surgical)",
        r"{NEG} ... (?:failure|failed|fail|trial|tried|attempt\w*|exhaust\w*|unresponsive) "
        r"(?:[\w-]+ ){0,4}(?:therap\w*|treatments?|care|medications?|PT|NSAIDs?|injections?|"
        r"muscle relaxants?|exercises?|modalities|measures)",
        r"{NEG} ... (?:failure|failed|fails?) to (?:progress|improve|respond) (?:in|with|to) "
        r"(?:a |the )?(?:[\w-]+ ){0,3}?(?:program|therapy|treatment|exercises?|PT|conservative|"
        r"care)",
        r"conservative (?:[\w-]+ ){0,6}?" + _NOT_SHOWN,
        r"{NEG} ... (?:has|have|had) been (?:attempted|tried|trialed|exhausted)",
        # Too soon: the weeks of conservative care the guideline waits for have not passed.
        r"(?:only|just) (?:\d+|one|two|three|four|five|six|a few|several) (?:days?|weeks?) "
        r"(?:since|after|from|post)",
        r"{NEG} ... (?:present|persist\w*|last\w*|ongoing) (?:for )?(?:more than|longer than|over|"
        r"at least) (?:\d+|one|two|three|four|six)(?:[-\u2013]\d+)? (?:weeks?|months?)",
        r"not (?:yet )?(?:failed|exhausted|tried|completed) ... (?:conservative|therap\w*|"
        r"treatments?|care)",
        r"(?:prior to|before) (?:the )?(?:completion|completing|a trial|trying|exhausting)",
        r"yet to be (?:completed|tried|attempted)",
    ), yields_to=("not_recommended",)),
    ReasonRule("monitoring_missing",
               "Required monitoring missing (urine drug screen, CURES, opioid agreement, "
               "pain assessment)", UPHELD, (
        r"{NEG} ... (?:urine (?:drug |toxicology )?(?:screen|test)\w*|UDS|UDT|drug (?:screen|"
        r"test)\w*|toxicology|CURES|PDMP|prescription (?:drug )?monitoring|(?:opioid|pain|"
        r"narcotic|medication) (?:agreement|contract)|pain assessment|(?:abuse|addiction|misuse|"
        r"opioid) risk assessment|(?:four|4) A'?s|aberrant|side effects|monitor\w* (?:for|of) "
        r"(?:\w+ ){0,3}(?:adverse|aberrant|side|compliance|misuse|abuse|diversion))",
    )),
    ReasonRule("insufficient_documentation", "Objective findings or documentation insufficient",
               UPHELD, (
        r"{NEG} ~ (?:documentation|documented|evidence|indication|mention|discussion|findings?|"
        r"signs?|symptoms?|complaints?|rationale|explanation|information|details?|"
        r"justification|specif\w*|clarif\w*|deficits?|red[- ]?flags?|radiculopathy|radicular|"
        r"neurolog\w*|nerve|instability|abnormal\w*|objective|exam\w*|candidate|diagnos\w*|"
        r"indicates?|indicating|studies|imaging|MRI|tests?|testing|x-?rays?|radiographs?|films?|"
        r"spasms?|document\w*|"
        r"reveal\w*|show\w*|stat\w*|suggest\w*|establish\w*|substantiat\w*|clear(?:ly)?|"
        r"outlined?|address\w*|describ\w*|detail\w*|reasons?|meet|satisfy)",
        _NOT_SHOWN,
        r"(?:not|un)clear(?:ly)? (?:\w+ )?(?:what|why|how|if|whether|as to|of|when)",
        r"vague|ambiguous|open to interpretation",
        r"criteria ~ (?:not|n't) (?:been |having been )?(?:met|satisfied)",
        r"{NEG} ... red[- ]?flags?",
    ), generic=True),
    ReasonRule("criteria_met", "Criteria met", OVERTURNED, (
        r"criteria ~ (?:are|is|have been|has been|were|was|being) (?:{W} )?(?:met|satisfied|"
        r"fulfilled)",
        r"(?:meets?|met|satisf(?:y|ies|ied)|fulfill?s?) (?:{W} ){0,4}(?:criteria|guidelines?|"
        r"recommendations?|requirements?)",
        r"(?:supported|recommended|indicated) (?:by|per|under) (?:the )?(?:{W} ){0,3}"
        r"(?:guidelines?|MTUS|ODG|ACOEM)",
        r"(?:guidelines?|MTUS|ODG|ACOEM) (?:{W} )?(?:supports?|recommends?|allows?)",
        r"documented (?:objective )?(?:functional )?improvement",
        r"improvement (?:{W} ){0,3}(?:is|was|has been|have been|had been) (?:{W} )?documented",
        r"(?:reported|showed|shown|demonstrated|noted|documented|has had|had|with|from) "
        r"(?:{W} ){0,3}(?:benefit|improvement|relief|progress)",
        r"(?:evidence|indication|documentation|findings?|signs?) of (?:{W} ){0,4}"
        r"(?:radiculopathy|neurologic\w*|nerve|red[- ]flags?|instability|fracture|tear|"
        r"deficits?|dysfunction|pathology)",
        r"(?:is|are|was|were|be|been) (?:also |therefore |thus |now |clearly |considered |"
        r"deemed |felt |found )?(?:indicated|supported|warranted|reasonable|appropriate|"
        r"justified)",
    ), verdicts=(
        r"medically (?:necessary|appropriate|reasonable|indicated)",
        r"medical necessity (?:{W} ){0,3}established",
        r"revers\w+ the (?:prior|previous|UR|utilization)",
        r"^yes\b",
    )),
)

