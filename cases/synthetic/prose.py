"""Sentence tables for the synthetic IMR letter generator: rationales, summaries, boilerplate.

Every sentence here was written for this project. Only form structure (labels, headings) and
guideline names follow the real letters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """Guideline citations and rationale sentences for one kind of treatment."""

    book: str  # MTUS book; "" means the chapter of the letter's body region
    section: str
    pages: str
    odg: str  # ODG section title
    rules: tuple[str, ...]  # what the guidelines say
    gaps: tuple[str, ...]  # why the records fall short (upheld)
    met: tuple[str, ...]  # why the criteria are met (overturned)


CPMT = "Chronic Pain Medical Treatment 2016"
TOPICS: dict[str, Topic] = {
    "opioid": Topic(CPMT, "Opioids, criteria for use", "76-80", "Opioids, long-term assessment", (
        "The MTUS allows continued opioid therapy only when the prescriber documents lower pain, "
        "better function and no aberrant drug behavior.",
        "Ongoing opioid prescribing calls for regular checks of analgesia, daily activities, side "
        "effects and drug-related behavior.",
        "ODG advises against long-term opioids for chronic non-malignant pain unless each refill "
        "is backed by measurable functional gains."), (
        "The records do not say how much the medication lowers the pain score or which activities "
        "it makes possible.",
        "No recent urine drug screen, pain agreement or risk assessment is documented.",
        "Pain scores have stayed about the same over the last several visits despite daily use."), (
        "The notes record a fall in pain from 8/10 to 4/10 with the medication and list tasks the "
        "worker can now perform.",
        "A signed pain agreement and a consistent urine drug screen are on file.")),
    "relaxant": Topic(CPMT, "Muscle relaxants (for pain)", "63-66", "Muscle relaxants", (
        "The MTUS treats muscle relaxants as a second-line choice for short courses during acute "
        "flares of chronic low back pain.",
        "Sedating muscle relaxants are meant for two or three weeks at most, since benefit fades "
        "and dependence can develop."), (
        "The medication has been refilled for many months rather than used briefly for a flare.",
        "The latest examination describes no acute spasm or recent flare."), (
        "The notes describe a new flare with palpable spasm, and the amount fits a short "
        "course.",)),
    "neuropathic": Topic(CPMT, "Antiepilepsy drugs (AEDs)", "16-18", "Anti-epilepsy drugs", (
        "The MTUS supports antiepilepsy drugs and some antidepressants as first-line agents for "
        "neuropathic pain.",
        "Continuing such an agent requires documented moderate relief and better function after "
        "the trial period."), (
        "The examination does not describe a neuropathic pattern, radicular signs or altered "
        "sensation.",
        "Earlier use has not produced any recorded reduction in pain or gain in function."), (
        "The worker has dermatomal sensory loss and burning radicular pain, and earlier notes "
        "describe about 40 percent relief with this drug.",)),
    "nsaid": Topic(CPMT, "NSAIDs (non-steroidal anti-inflammatory drugs)", "67-73", "NSAIDs", (
        "The MTUS recommends anti-inflammatory drugs at the lowest effective dose for the shortest "
        "time in moderate to severe pain.",
        "Long-term anti-inflammatory use carries stomach, kidney and heart risks that must be "
        "weighed against any benefit."), (
        "The records describe years of daily use with no statement of benefit and no laboratory "
        "monitoring.",
        "No trial of a lower dose or a shorter course is documented."), (
        "The notes describe an acute flare and a short planned course that the worker tolerated "
        "well before.",)),
    "gi": Topic(CPMT, "NSAIDs, GI symptoms & cardiovascular risk", "68-69",
                "Proton pump inhibitors", (
        "The MTUS supports a proton pump inhibitor only for patients on anti-inflammatory drugs "
        "who have a defined gastrointestinal risk.",
        "Such risks include age over 65, a past ulcer or bleed, or use of aspirin, steroids or "
        "blood thinners."), (
        "No stomach complaints or risk factors are documented.",
        "The latest note no longer lists an anti-inflammatory medication."), (
        "The worker had a bleeding ulcer in the past and still takes an anti-inflammatory drug.",)),
    "topical": Topic(CPMT, "Topical analgesics", "111-113", "Topical analgesics", (
        "The MTUS calls topical analgesics largely experimental, with few controlled trials of "
        "efficacy or safety.",
        "A compounded product that holds even one ingredient that is not recommended is itself "
        "not recommended.",
        "Topical lidocaine is reserved for localized peripheral neuropathic pain after first-line "
        "oral agents have failed."), (
        "There is no record that first-line oral agents were tried and failed.",
        "The area of application, frequency and expected benefit are not stated."), (
        "The notes document localized neuropathic pain over a small area after two oral agents "
        "failed.",)),
    "sleep": Topic(CPMT, "Weaning of Medications", "124", "Insomnia treatment", (
        "ODG limits hypnotic and sedating medication to short-term use of two to six weeks.",
        "Guidelines ask for a search for the cause of insomnia and advice on sleep hygiene before "
        "long-term medication."), (
        "Sleep onset, sleep maintenance and daytime function are not described.",
        "The drug has been prescribed for several months, well past the recommended period."), (
        "A recent evaluation describes the insomnia in detail and the request is for a short, "
        "tapering course.",)),
    "medfood": Topic("", "", "", "Medical food", (
        "ODG states that a medical food must target a disease with distinct nutritional needs "
        "shown by medical evaluation.",
        "No good-quality studies support medical foods for chronic pain, sleep problems or "
        "inflammation."), (
        "No nutritional deficiency is documented.",
        "The records give no reason this product would help the worker's condition."), (
        "Laboratory testing confirmed a specific deficiency that this product is meant to "
        "treat.",)),
    "pt": Topic(CPMT, "Physical medicine treatment", "98-99", "Physical therapy", (
        "The MTUS physical medicine guidance allows fading frequency, with eight to ten visits "
        "over four weeks for myalgia or neuritis.",
        "Active therapy is preferred, and the worker is expected to keep up a home exercise "
        "program once formal sessions end.",
        "More visits are supported only when earlier therapy produced objective functional gains."
        ), (
        "The worker has already completed {prior} sessions and no functional gain is recorded.",
        "The number of visits requested is more than the guidelines allow for this condition.",
        "The notes do not explain why a home exercise program would not suffice now."), (
        "Therapy notes show measurable gains in motion and lifting after the first sessions.",
        "This is a first course for a new problem and the visits fall within the guideline "
        "range.")),
    "chiro": Topic(CPMT, "Manual therapy & manipulation", "58-59", "Manipulation", (
        "The MTUS supports manipulation for chronic musculoskeletal low back pain, beginning with "
        "a trial of six visits over two weeks.",
        "Further visits need objective functional improvement during the trial, up to 18 visits "
        "over six to eight weeks."), (
        "The worker has had {prior} chiropractic visits and no functional gain is recorded.",
        "The request goes beyond the six-visit trial allowed before reassessment."), (
        "This is the first course of manipulation and the visits fit the trial allowance.",)),
    "acupuncture": Topic("Acupuncture Treatment 2007", "", "", "Acupuncture", (
        "The MTUS acupuncture guidance allows a trial of three to six treatments, with a "
        "functional response expected in that time.",
        "Acupuncture may be extended only with documented functional improvement, as an adjunct "
        "to active rehabilitation."), (
        "Earlier acupuncture is mentioned, but no change in function or medication use is "
        "described.",
        "The number requested is larger than the initial trial the guidelines support."), (
        "Acupuncture has not been tried before and the worker could not tolerate oral "
        "medication.",)),
    "massage": Topic(CPMT, "Massage therapy", "60", "Massage", (
        "The MTUS supports massage only alongside active treatment such as exercise, usually four "
        "to six visits.",
        "Massage is a passive treatment and its benefit tends to fade once the sessions stop."), (
        "The request is for more visits than the guidelines support.",
        "No active exercise program is paired with the massage request."), (
        "The massage supports an active exercise program and the visits fit the guideline range.",
        )),
    "modality": Topic(CPMT, "Physical medicine treatment", "98-99", "Physical modalities", (
        "The MTUS and ODG find little evidence of lasting benefit from passive modalities such as "
        "traction, ultrasound, infrared or shockwave.",
        "Passive treatment, if used at all, should be brief and combined with active exercise."), (
        "No active rehabilitation plan accompanies this passive treatment.",
        "The records do not show that earlier passive treatment helped."), (
        "The course is brief, tied to an active program, and a similar course helped before.",)),
    "imaging": Topic("", "Special Studies", "", "Magnetic resonance imaging (MRI)", (
        "The ACOEM chapter of the MTUS supports imaging when there are red flags, clear "
        "neurologic deficits or a plan for surgery.",
        "ODG does not recommend routine repeat imaging unless symptoms or findings have changed "
        "significantly."), (
        "The examination describes no progressive neurologic deficit or red flag.",
        "No surgical decision depends on the result of the study.",
        "Imaging of the {reg} was done before and no significant change in findings is reported."
        ), (
        "The worker now has new weakness and reflex changes that were absent before.",
        "Several months of conservative care have failed and a surgeon is weighing an operation.")),
    "emg": Topic("", "Special Studies", "", "Electrodiagnostic testing (EMG/NCS)", (
        "The MTUS supports electrodiagnostic studies to clarify nerve dysfunction when symptoms "
        "last beyond three or four weeks.",
        "ODG adds that testing adds little when the examination already makes a nerve root "
        "problem plain."), (
        "The examination records normal strength, sensation and reflexes.",
        "Electrodiagnostic testing was done recently and the symptoms have not changed."), (
        "The worker has lasting numbness with equivocal findings that examination alone cannot "
        "explain.",)),
    "lab": Topic(CPMT, "Drug testing", "43", "Urine drug testing (UDT)", (
        "The MTUS supports drug testing to check for illegal drugs and to monitor patients on "
        "opioids.",
        "ODG ties the frequency of testing to risk, and low-risk patients need testing once or "
        "twice a year."), (
        "The worker is low risk and had a test with consistent results a few months ago.",
        "No abnormal result or medication that needs laboratory monitoring is documented."), (
        "The worker takes opioids and has not been tested in more than a year.",)),
    "tens": Topic(CPMT, "TENS, chronic pain (transcutaneous electrical nerve stimulation)",
                  "114-116", "TENS (transcutaneous electrical nerve stimulation)", (
        "The MTUS allows a one-month home trial of a TENS unit as an adjunct to active "
        "rehabilitation when other care has failed.",
        "Purchase of a stimulation unit is supported only after the trial documents less pain, "
        "less medication use and better function."), (
        "No one-month trial with recorded results is documented.",
        "The records do not describe an active rehabilitation program that the unit would "
        "support."), (
        "A one-month trial is documented, with less medication use and better sleep.",)),
    "brace": Topic("", "Physical Methods", "", "Braces", (
        "The ACOEM guidance finds little support for braces or supports once the acute phase has "
        "passed.",
        "ODG recommends a support device only for a specific condition such as instability, a "
        "fracture or the period after surgery."), (
        "The worker is well beyond the acute phase of the injury.",
        "No instability, fracture or recent surgery is documented."), (
        "The device is needed for a limited time after recent surgery.",)),
    "dme": Topic("", "", "", "Durable medical equipment (DME)", (
        "ODG recommends durable equipment only when it is medically needed and stands up to "
        "repeated use.",
        "Items meant mainly for comfort or convenience are not considered medical treatment."), (
        "The records do not explain how the item will be used or what function it would "
        "restore.",
        "The request does not say how long the item is needed."), (
        "The item is needed for a limited time after recent surgery.",)),
    "consult": Topic("General Approaches 2004", "Cornerstones of Disability Prevention and "
                     "Management", "", "Office visits", (
        "The ACOEM guidance allows referral when the diagnosis is uncertain or complex or when "
        "added expertise would help treatment.",
        "ODG supports office visits that are tied to a clear clinical need in the treatment "
        "plan."), (
        "The records do not say what question the visit would answer or how it would change care.",
        "A provider who manages this condition already follows the worker."), (
        "The diagnosis is still unclear after months of care and a specialist opinion would guide "
        "the plan.",)),
    "injection": Topic(CPMT, "Epidural steroid injections (ESIs)", "46", "Injections", (
        "The MTUS supports epidural injections only when radiculopathy on examination is "
        "confirmed by imaging or electrodiagnostic testing.",
        "ODG limits facet procedures to non-radicular pain at no more than two levels after "
        "failed conservative care.",
        "Repeat injections require at least half the pain relieved, with less medication, for six "
        "to eight weeks."), (
        "The examination lacks clear dermatomal findings and imaging does not confirm nerve "
        "compression.",
        "The response to the previous injection is not quantified.",
        "There is no record that conservative treatment was tried and failed."), (
        "Radicular findings match the imaging and conservative care has failed.",
        "The earlier injection gave more than half relief for over two months.")),
    "surgery": Topic("", "Surgical Considerations", "", "Surgery", (
        "The ACOEM chapter of the MTUS supports surgical referral for severe, disabling symptoms "
        "with a clear imaging lesion that surgery can correct.",
        "Conservative treatment should be tried for an adequate period before surgery.",
        "When the main procedure is not supported, the associated services are not supported "
        "either."), (
        "Imaging shows no lesion that correlates with the symptoms and examination.",
        "An adequate trial of conservative care is not documented."), (
        "Imaging confirms a lesion that matches the examination and six months of conservative "
        "care have failed.",)),
    "psych": Topic(CPMT, "Behavioral interventions", "23", "Cognitive therapy", (
        "The MTUS supports psychological treatment for chronic pain, beginning with a trial of "
        "three or four sessions.",
        "Up to ten sessions may follow when the trial brings objective functional improvement."), (
        "The request is larger than the initial trial the guidelines allow.",
        "Earlier sessions are mentioned, but no change in function or mood is described."), (
        "The worker has documented depressive symptoms tied to chronic pain and no prior "
        "psychological care.",)),
    "program": Topic(CPMT, "Functional restoration programs (FRPs)", "49", "Exercise", (
        "The MTUS supports a functional restoration program only after an evaluation shows other "
        "methods failed and the worker is motivated.",
        "Gym memberships and weight loss plans are not medical treatment unless a supervised plan "
        "with defined goals exists."), (
        "No multidisciplinary evaluation is documented.",
        "The records state no goals, supervision or way to measure progress."), (
        "A multidisciplinary evaluation found the worker a good candidate with clear goals.",)),
    "support": Topic("", "", "", "Home health services", (
        "Home health services are covered only for medical treatment of homebound patients and "
        "do not include housekeeping alone.",
        "Transportation and items of convenience are not medical treatment unless the worker "
        "cannot travel or function safely otherwise."), (
        "According to the notes, the worker drives and attends visits without help.",
        "The records do not show that the worker is homebound or needs skilled care."), (
        "The worker is homebound after surgery and needs skilled care for several weeks.",)),
}

BOILERPLATES = (
    "MAXIMUS Federal Services forwarded the whole file in this dispute to an independent expert "
    "reviewer who has no ties to the employer, the employee, the treating providers or the "
    "claims administrator. {cred}"
    "The reviewer has practiced clinically for over five years and still practices at least 24 "
    "hours each week, was chosen for training and expertise in a specialty that evaluates or "
    "treats the condition and the disputed services, and knows the laws, regulations and the "
    "hierarchy of medical evidence that govern Independent Medical Review.",
    "The complete case file was sent by MAXIMUS Federal Services to an independent expert "
    "reviewer with no affiliation to any party in the dispute. {cred}The reviewer has more than "
    "five years of clinical practice, spends at least 24 hours weekly in practice, and was "
    "selected for relevant education and experience in the same or a similar specialty. The "
    "reviewer applies the evidence hierarchy set out in the governing regulations.",
    "MAXIMUS Federal Services assigned this dispute to an expert reviewer, who received the "
    "entire case file. The reviewer is independent of the employer, the injured worker, the "
    "providers and the claims administrator. {cred}The reviewer was matched to the case by "
    "specialty and by experience with the condition and services in dispute, has over five years "
    "of clinical practice, and is familiar with the rules that apply to these reviews.",
)
SUMMARY_INTROS = (
    "The expert reviewer prepared the following clinical case summary after reviewing the case "
    "file, including the medical records:",
    "The clinical case summary below was written by the expert reviewer from the case file and "
    "all medical records:",
    "After reviewing the whole case file and the medical records, the expert reviewer summarized "
    "the case as follows:",
)
KEY_SENTENCES = (
    "The injured worker is a {age} year old {sex} who sustained an industrial injury on {doi}.",
    "The injured worker is a {age}-year-old {sex} who sustained an industrial injury on {doi}.",
    "The injured worker is a {age} year old {sex}, who sustained an industrial injury on {doi}.",
    "This patient is a {age} year old {sex} who sustained an industrial injury on {doi}.",
    "The injured worker is a {age} year old {sex} with a date of injury of {doi}.",
)
KEY_SENTENCES_2013 = (
    "The patient is a {age} year old {sex} who reported an industrial injury on {doi}.",
    "The injured worker is a {age}-year-old {sex} who reported an industrial injury on {doi}.",
)
SUMMARY_PARTS = (
    (0.5, ("{Pron} was hurt while {mech}.", "The records say the injury happened while {pron} "
           "was {mech}.", "According to the file, {pron} was injured while {mech}.")),
    (1.0, ("Diagnoses include {diags}.", "{Pron} is being treated for {diags}.",
           "The current diagnoses are {diags}.", "The records list diagnoses of {diags}.")),
    (0.9, ("At a visit on {note}, {pron} reported {complaint}, rated {pain} out of 10.",
           "A progress report dated {note} describes {complaint}, with pain rated {pain}/10.",
           "On {note} the treating physician recorded {complaint}.")),
    (0.8, ("Examination showed {findings}.", "On examination there was {findings}.",
           "Objective findings included {findings}.")),
    (0.9, ("Treatment to date has included {priors}.", "Prior care has consisted of {priors}.",
           "{Pron} has already received {priors}.")),
    (0.6, ("{Pron} is {work}.", "Current work status: {pron} is {work}.")),
    (1.0, ("The treating provider requested {reqs}.", "A request for authorization was "
           "submitted for {reqs}.", "The provider asked for authorization of {reqs}.")),
    (0.7, ("On {ur}, utilization review denied the request.", "Utilization review "
           "non-certified the request on {ur}.", "The request was modified or denied by "
           "utilization review on {ur}.")),
    (1.0, ("This case is synthetic: every person and fact in it was invented for software "
           "testing.", "All details of this synthetic case were made up to test software.",
           "The case described here is synthetic and exists only for software testing.")),
)
# The sample letters' summaries (``letters.SAMPLE``): the same parts, with who the worker is,
# their history and the records in real words (``words``), where the benchmark's letters end
# on a list of made-up ones.
SAMPLE_SUMMARY_PARTS = (
    (0.8, ("{Pron} works as {job}.", "{Pron} is employed as {job}.",
           "At the time of the injury {pron} worked as {job}.")),
    *SUMMARY_PARTS[:2],  # how the injury happened, the diagnoses
    (0.6, ("Past medical history includes {conditions}.", "{Pron} also has a history of "
           "{conditions}.", "Other medical problems include {conditions}.")),
    (0.35, ("Past surgical history includes {surgeries}.",
            "{Pron} has had {surgeries} in the past.")),
    (0.6, ("Other medications listed include {medications}.", "{Pron} also takes "
           "{medications}.", "Current medications also include {medications}.")),
    *SUMMARY_PARTS[2:-1],  # the visit, the examination, care so far, work, the requests, UR
    (0.6, ("The records reviewed include {documents}.", "The file includes {documents}.",
           "Documents reviewed include {documents}.")),
    SUMMARY_PARTS[-1],  # it is synthetic
)
OPENERS = ("This review concerns the request for {t}.", "The disputed item is {t}.",
           "The treating provider has asked for {t}.", "At issue is the request for {t}.")
FACTS = ("The latest progress note documents ongoing pain of the {reg} rated {pain}/10.",
         "The worker still reports pain in the {reg}, rated {pain} out of 10.",
         "The submitted records cover several months of care for the {reg}.",
         "The notes describe function only in general terms.")
EXTRA_UPHELD = ("No special circumstances are described that would justify going beyond the "
                "guideline.", "Without this information the guideline criteria are not met.",
                "The guideline criteria are therefore not satisfied.")
EXTRA_OVERTURNED = ("These findings satisfy the guideline criteria.",
                    "The request is consistent with the guideline recommendations.")
CLOSERS = (
    ("Therefore, the request for {t} is not medically necessary.",
     "As a result, {t} is not medically necessary.",
     "Consequently, the request is not medically necessary.",
     "For these reasons, the request for {t} is not medically necessary.",
     "Given the above, the requested {tl} is not medically necessary."),
    ("Therefore, the request for {t} is medically necessary.",
     "As a result, {t} is medically necessary.",
     "Consequently, the request is medically necessary.",
     "For these reasons, the request for {t} is medically necessary.",
     "Given the above, the requested {tl} is medically necessary."),
)
NOTICE_2013 = (
    "MAXIMUS Federal Services, Inc. has completed the Independent Medical Review of the disputed "
    "treatment listed below. An independent physician reviewer with no conflict of interest "
    "examined the records supplied by the parties and applied the relevant treatment guidelines.",
    "This notice reports the result of the Independent Medical Review that MAXIMUS Federal "
    "Services, Inc. completed for the disputed medical services. The review relied on the records "
    "provided and on the applicable medical treatment guidelines.",
)
QUALIFICATION_EXTRAS_2013 = (
    "The reviewer has practiced medicine for over five years and still sees patients at least "
    "24 hours each week.",
    "The reviewer is familiar with injuries like the one in this case and with the guidelines "
    "that apply to them.",
)
INTROS_2013 = ("The following summary was prepared by the expert reviewer from the records "
               "provided:", "The expert reviewer summarized the submitted records as follows:")
