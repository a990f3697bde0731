"""The advice library's starting content.

Each piece restates advice from one of two articles in the portal's own words,
and names that article; a piece that states a research finding names the
research (authors, year) in "research", since neither article makes such
claims. The two crisis pieces come from neither article: they are the
portal's safety guidance, with their research named. The data migrations load
these into the database, where practice administrators can edit them; a later
edit in the admin is never overwritten by this file.
"""

from django.utils.translation import gettext

SOURCES = {
    "why-isnt-therapy-working": "Why Isn't Therapy Working?",
    "when-therapy-doesnt-work": "When Therapy Doesn't Work: What To Do",
}

WHY = "why-isnt-therapy-working"
WHEN = "when-therapy-doesnt-work"

ADVICE = [
    # ------------------------------------------------------------------
    # Client pieces
    # ------------------------------------------------------------------
    {
        "key": "open-a-dialogue",
        "title": "Say it out loud: tell your therapist it feels stuck",
        "body": (
            "If therapy feels like it is going nowhere, that is not anyone's failure, yours or your "
            "therapist's. Before you change anything, tell them. Describe what you hoped would be "
            "different by now and how far you feel from it. That talk may not fix things on the spot, "
            "but it is usually the quickest way to find out what is missing."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "",
    },
    {
        "key": "timeline-too-early",
        "title": "A few sessions is too soon to judge",
        "body": (
            "Lasting change rarely shows up in the first handful of sessions, and a promising start does "
            "not guarantee the rest either. Ask yourself how many sessions you have had, where you "
            "expected to be by now, and whether anything about your sessions changed recently. If you "
            "are still near the start, it is usually worth giving it a little longer."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "Howard et al., 1986",
    },
    {
        "key": "reassess-expectations",
        "title": "Check what you expected therapy to do",
        "body": (
            "Therapy is seldom a quick repair, and sometimes it is not a repair at all but a slower kind "
            "of change. If you waited a long time before starting, you may have arrived hoping to feel "
            "like someone new within weeks. When that does not happen it can look like failure, even "
            "when real progress is under way. It can help to name, with your therapist, what success "
            "would actually look like for you."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "",
    },
    {
        "key": "clinician-not-magician",
        "title": "Your therapist is a clinician, not a magician",
        "body": (
            "No one can wave a wand and make the hard things go away, in therapy or anywhere else. "
            "Progress comes from doing the work together, and much of that work means facing things "
            "honestly and allowing what you notice to change you, rather than brushing it aside. Have you told "
            "your therapist what you expect from your time together? Saying it lets you both aim for "
            "something realistic."
        ),
        "audience": "client",
        "source": WHY,
        "questions": [],
        "research": "",
    },
    {
        "key": "short-term-goals",
        "title": "Pick a small goal you can see",
        "body": (
            "Big hopes such as 'feel better' or 'be a different person' are hard to track week to week. "
            "Ask your therapist to agree one or two small, near-term goals with you, things you could "
            "notice within a few weeks. Reaching them shows you that things are moving, and missing them "
            "gives you both something concrete to talk about."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "",
    },
    {
        "key": "discomfort-with-therapist",
        "title": "If you dread going, that is worth saying",
        "body": (
            "Feeling nervous before talking about something painful is normal. Dreading your therapist "
            "week after week is different: it often means the relationship itself is not working, and "
            "that makes progress hard. Try telling your therapist how you feel. It may touch on a pattern "
            "from elsewhere in your life that is worth looking at together."
        ),
        "audience": "client",
        "source": WHY,
        "questions": [],
        "research": "",
    },
    {
        "key": "new-therapist-not-failure",
        "title": "Changing therapist is not giving up on therapy",
        "body": (
            "The bond with your therapist matters a great deal to how well therapy goes. Clashing styles, "
            "blurred boundaries or simply never clicking can all wear it down, and that is frustrating. "
            "Raise it first, since an honest talk can ease a lot of friction. If nothing shifts, looking "
            "for someone new is a reasonable step, not a failure, and it does not mean therapy is wrong "
            "for you."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "",
    },
    {
        "key": "homework-between-sessions",
        "title": "The work between sessions counts",
        "body": (
            "Homework may sound like school, but it is where what you discussed in the room meets your "
            "everyday life. Even a small amount, like noting a thought or trying one new habit, helps "
            "the session carry on after you leave. If a task feels too big, unclear or pointless, tell "
            "your therapist so you can shape it into something you will actually do."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "",
    },
    {
        "key": "life-outside-therapy",
        "title": "Change happens outside the room too",
        "body": (
            "An hour a week is only part of the picture. Therapy can give you the courage to change "
            "things, but you see its effect when you try those changes in the rest of your week. With "
            "your therapist, look at which habits keep you stuck and pick one to work on. Progress needs "
            "both of you to do your part."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "",
    },
    {
        "key": "hard-sessions-vs-decline",
        "title": "Rough after a hard session, or worse week after week?",
        "body": (
            "After a session that stirs up painful memories, feeling raw or unsettled for a day or two "
            "can be part of the process. Progress is rarely a straight line. But feeling clearly worse "
            "check-in after check-in is different, and it is not something to wait out: research finds "
            "that most people do not get worse before they get better. If that is happening, tell your "
            "therapist this week, and if it becomes too much, use the crisis numbers on this page."
        ),
        "audience": "client",
        "source": WHY,
        "questions": [],
        "research": "Lambert, 2007",
    },
    {
        "key": "working-but-unpleasant",
        "title": "Hard does not always mean it is not working",
        "body": (
            "Some sessions leave you angry, confused or upset, because they ask you to look at parts of "
            "yourself you would rather avoid. Not every session will feel soothing, and some will feel "
            "like sheer effort. That can be a sign of real work being done. If you often leave feeling "
            "worse, though, say so, so your therapist can help you make sense of it and adjust the pace."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "",
    },
    {
        "key": "not-ready-yet",
        "title": "It may simply not be the right time",
        "body": (
            "Sometimes life leaves no room for therapy: no energy, no spare time, or a crisis that needs "
            "all of you. In a very hard situation, the ways you have always coped may still be protecting "
            "you, and this may not be the moment to take them apart. That is nobody's failure. You can "
            "pause and come back when things settle, and your therapist can help you decide."
        ),
        "audience": "client",
        "source": WHY,
        "questions": [],
        "research": "",
    },
    {
        "key": "time-and-money",
        "title": "Time and money are real limits",
        "body": (
            "Therapy asks for an hour out of your week and a good deal of patience, and it often costs "
            "money too. Treating it as an investment helps, but only if it is one you can live with. "
            "If cost or time is getting in the way, bring it up: your therapist may be able to change "
            "how often you meet, or point you to cheaper options such as insurance-covered care."
        ),
        "audience": "client",
        "source": WHY,
        "questions": [],
        "research": "",
    },
    {
        "key": "other-kinds-of-therapy",
        "title": "Talk therapy is one kind among many",
        "body": (
            "Sitting and talking is not the only way therapy works. There are approaches built on art, "
            "writing, music and drama, on the body (such as somatic work), on play, on time outdoors, "
            "and more. Finding the right one can take some trial and error. If talking alone is not "
            "reaching you, ask your therapist what else might suit you."
        ),
        "audience": "client",
        "source": WHY,
        "questions": [],
        "research": "",
    },
    {
        "key": "change-the-approach",
        "title": "A different approach might fit better",
        "body": (
            "Sometimes it is the format, not therapy itself, that is not working. One person finds "
            "one-to-one sessions too intense, yet opens up in a group where others share similar "
            "struggles. Switching approach is not a sign of failure; it is part of finding the right "
            "fit, a bit like adjusting a prescription until it suits you."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "",
    },
    {
        "key": "medication-as-complement",
        "title": "Medication can work alongside therapy",
        "body": (
            "Therapy does not have to do everything by itself. For some people and some conditions, "
            "medication eases symptoms enough that the work in therapy can finally take hold. Asking "
            "about it is part of asking for help, not a sign that therapy failed. If you wonder whether "
            "it could help you, talk to a doctor, and let your therapist know."
        ),
        "audience": "client",
        "source": WHY,
        "questions": [],
        "research": "",
    },
    {
        "key": "choosing-to-stop",
        "title": "If you decide to stop, talk it over first",
        "body": (
            "Therapy does not suit everyone, and deciding to stop can be the right call. Walking away "
            "suddenly, though, can leave you feeling further back than before. Raise it in a session "
            "first: together you can look at other options, agree how to wind down, and keep the door "
            "open to return later."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "",
    },
    {
        "key": "therapists-role",
        "title": "Your therapist wants to hear this",
        "body": (
            "Sorting out what is not working is part of your therapist's job, not an insult to them. "
            "Their role is to meet you where you are, work through it with you, and, if something else "
            "would serve you better for now, help you get there."
        ),
        "audience": "client",
        "source": WHY,
        "questions": [],
        "research": "",
    },
    {
        "key": "keep-it-going",
        "title": "Things are moving: notice it and keep going",
        "body": (
            "Your check-ins show you are doing better than when you started. That is real progress, "
            "and it is worth noticing, because it came from work you are doing. Keep doing what helps "
            "between sessions, and tell your therapist what has made the difference, so you can build "
            "on it together and set the next small goal."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "",
    },
    # ------------------------------------------------------------------
    # Crisis week (the portal's safety guidance, from neither article)
    # ------------------------------------------------------------------
    {
        "key": "crisis-you-did-the-right-thing",
        "title": "Telling someone was the right thing to do",
        "body": (
            "Saying that you are in crisis takes courage, and it was the right thing to do. Your "
            "therapist has been told to look at your check-in, but this portal is not watched all the "
            "time, so please do not wait for them: call or text one of the numbers above now, or go to "
            "your nearest emergency room if you are in danger."
        ),
        "audience": "client",
        "source": "",
        "questions": [],
        "research": "",
    },
    # ------------------------------------------------------------------
    # Therapist pieces
    # ------------------------------------------------------------------
    {
        "key": "therapist-crisis-safety",
        "title": "Crisis answer: reach the client today",
        "body": (
            "Contact the client the same day, by phone if you can, and follow your practice's risk "
            "procedure. Ask directly about thoughts of suicide or self-harm: asking does not put the "
            "idea there. Review or write a safety plan together (warning signs, ways to cope, people "
            "and places that help, professional and crisis contacts, making the surroundings safer). "
            "Record each step here; if nothing is recorded in time, the practice's on-call contact is "
            "told."
        ),
        "audience": "therapist",
        "source": "",
        "questions": [
            "I saw your check-in. Are you safe right now?",
            "Are you having thoughts of ending your life, or of harming yourself?",
            "Who can be with you today, and what has helped you get through before?",
        ],
        "research": "Dazzi et al., 2014; Stanley & Brown, 2012",
    },
    {
        "key": "therapist-open-the-conversation",
        "title": "Name the stall before the client does",
        "body": (
            "Clients who feel therapy is not helping often say nothing and simply stop coming. Raise it "
            "yourself, framed as a shared problem rather than anyone's fault: ask what they hoped would "
            "change and where they feel they are now. The aim is not an instant fix but a clearer view "
            "of what needs adjusting."
        ),
        "audience": "therapist",
        "source": WHEN,
        "questions": [
            "When you started, what were you hoping would be different by now?",
            "How close or far from that do you feel at the moment?",
            "Is there anything about our sessions you have wanted to tell me but held back?",
        ],
        "research": "",
    },
    {
        "key": "therapist-alliance-rupture",
        "title": "Rising discomfort: explore the relationship",
        "body": (
            "Growing unease or dread about coming to sessions usually points to strain in the working "
            "relationship. Research links the alliance to outcome across hundreds of studies, and a "
            "weak alliance to dropping out. Invite the client to tell you "
            "about it without defending yourself; the reaction may echo a pattern in their other "
            "relationships that is worth exploring. If the strain persists, help them find a better "
            "fit rather than letting them drift away."
        ),
        "audience": "therapist",
        "source": WHY,
        "questions": [
            "How has it felt to come here lately?",
            "Is there something I do or say in sessions that makes it harder for you?",
            "Does this feeling remind you of other relationships in your life?",
        ],
        "research": "Flückiger et al., 2018; Sharf et al., 2010",
    },
    {
        "key": "therapist-unmet-expectations",
        "title": "Expectations unmet for weeks: revisit them together",
        "body": (
            "When a client keeps reporting that therapy falls short of what they hoped, ask what they "
            "were hoping for. Be frank about what your approach can and cannot realistically offer, "
            "and turn vague hopes into one or two short-term goals you can both check. Small, visible "
            "wins keep motivation up and show whether the plan needs to change."
        ),
        "audience": "therapist",
        "source": WHEN,
        "questions": [
            "What did you imagine therapy would be like before you started?",
            "What would tell you, a few weeks from now, that things are moving?",
            "Which part of what you hoped for feels furthest away right now?",
        ],
        "research": "",
    },
    {
        "key": "therapist-homework-falling-off",
        "title": "Homework dropping off: find out why",
        "body": (
            "Between-session tasks are where the work of the session reaches daily life, and research "
            "finds that how much homework gets done relates to outcome. If completion is sliding, check both sides: were "
            "the tasks clear, relevant and sized right, and what got in the way? Adjust the tasks with "
            "the client rather than simply setting more, and tie them to a habit they want to change."
        ),
        "audience": "therapist",
        "source": WHEN,
        "questions": [
            "What happened with the task from last time?",
            "Did it feel useful, or did it feel beside the point?",
            "What would make something between sessions easier to fit into your week?",
        ],
        "research": "Kazantzis et al., 2010",
    },
    {
        "key": "therapist-no-improvement",
        "title": "Many sessions, little change: review the plan",
        "body": (
            "In the dose-effect research about half of clients improve by the eighth session and "
            "three in four by the twenty-sixth, so a flat trend beyond a dozen sessions deserves a review, not just more of the same. Revisit the "
            "formulation and the treatment plan with the client. Consider whether a different approach, "
            "a group format, or a medication assessment would serve them better."
        ),
        "audience": "therapist",
        "source": WHEN,
        "questions": [
            "Looking back over our sessions, what, if anything, has changed for you?",
            "What has been most and least helpful in how we work?",
            "Would you be open to trying a different way of working?",
        ],
        "research": "Howard et al., 1986",
    },
    {
        "key": "therapist-early-sessions",
        "title": "Early impatience: set a timeline together",
        "body": (
            "A client only a few sessions in may already be asking whether it is working. Acknowledge "
            "the impatience, explain that change usually takes more than a handful of sessions, and "
            "agree a point at which you will review progress together. That turns waiting into a plan."
        ),
        "audience": "therapist",
        "source": WHEN,
        "questions": [
            "Where did you expect to be by this point?",
            "What would you need to see to feel it is worth continuing?",
            "When shall we sit down and look at progress together?",
        ],
        "research": "",
    },
    {
        "key": "therapist-deterioration",
        "title": "Wellbeing is dropping: take it seriously",
        "body": (
            "A clear decline in wellbeing over two or more check-ins is a warning sign, not the expected "
            "dip before recovery: research finds clients rarely get reliably worse before they get "
            "better, and clinicians tend to miss who is deteriorating unless shown the data. Do not "
            "reassure it away. Ask what "
            "has changed, check risk, and review the treatment plan, including whether more support or "
            "another kind of care is needed."
        ),
        "audience": "therapist",
        "source": WHY,
        "questions": [
            "You have been rating your weeks lower lately. What has been happening?",
            "Have you had thoughts of harming yourself, or of not wanting to be here?",
            "Is something in therapy itself making things harder right now?",
        ],
        "research": "Lambert, 2007; Hannan et al., 2005",
    },
    {
        "key": "therapist-worse-after-sessions",
        "title": "Leaving sessions feeling worse, again and again",
        "body": (
            "Feeling stirred up after a difficult session can be part of the work. When it happens "
            "repeatedly, though, check the pacing, how sessions end, and whether the client has ways "
            "to steady themselves afterwards. Ask what it is like for them, rather than assuming the "
            "distress is productive."
        ),
        "audience": "therapist",
        "source": WHEN,
        "questions": [
            "How do you usually feel in the hours after we meet?",
            "Is there a point in our sessions where it starts to feel like too much?",
            "What helps you settle after a hard session, and could we build more of that in?",
        ],
        "research": "",
    },
    {
        "key": "therapist-dropout-risk",
        "title": "Check-ins have stopped: reach out",
        "body": (
            "A client who goes quiet may be close to leaving without saying so. Reach out warmly and "
            "without blame. If they want to stop, make space to talk it over so you can look at other "
            "options together and end well, leaving the door open for a later return."
        ),
        "audience": "therapist",
        "source": WHEN,
        "questions": [
            "I noticed the check-ins have stopped. How are things for you?",
            "Have you been thinking about taking a break from therapy?",
            "If you did want to stop, how would you like us to finish?",
        ],
        "research": "",
    },
    {
        "key": "therapist-barriers",
        "title": "Time or money in the way",
        "body": (
            "Therapy costs time, patience and often money, and those limits are real. When a client "
            "reports either, ask about it plainly and look for practical adjustments such as "
            "frequency, fees, session times or a lower-cost service, rather than reading them as "
            "resistance."
        ),
        "audience": "therapist",
        "source": WHY,
        "questions": [
            "What has made it hard to fit therapy in lately?",
            "Is the cost becoming a worry for you?",
            "Would a different time or a different rhythm of sessions make it easier to keep coming?",
        ],
        "research": "",
    },
    {
        "key": "therapist-not-ready",
        "title": "Life events: meet the client where they are",
        "body": (
            "When life is in upheaval, a client may have little energy for deep work, and long-standing "
            "defences may still be protecting them. Explore any reluctance, but accept that now may "
            "not be the time for big change. Shift toward support and stabilising, or agree a pause, "
            "and make clear that returning later is always possible."
        ),
        "audience": "therapist",
        "source": WHY,
        "questions": [
            "What is taking up most of your energy at the moment?",
            "What would feel most useful from our sessions while this is going on?",
            "Would it help to slow down, or to pause for a while?",
        ],
        "research": "",
    },
    {
        "key": "therapist-medication-and-other-care",
        "title": "Consider medication or more intensive care",
        "body": (
            "Some conditions respond poorly to talk therapy alone, particularly when symptoms are severe "
            "or daily functioning is badly limited. Medication or more intensive treatment can steady "
            "things enough for the therapy to take hold. Raise the option with the client and suggest "
            "they speak to a doctor."
        ),
        "audience": "therapist",
        "source": WHY,
        "questions": [
            "How much are your symptoms getting in the way of daily life right now?",
            "How would you feel about talking with a doctor about extra support?",
        ],
        "research": "",
    },
    {
        "key": "therapist-change-the-approach",
        "title": "Consider a different kind of therapy",
        "body": (
            "If one format is not reaching the client, another may: group work, arts-based therapies, "
            "somatic or body-based approaches and others. Trying a new approach is part of finding "
            "the right fit, not proof that therapy has failed, and the better you know the client, "
            "the easier it is to choose."
        ),
        "audience": "therapist",
        "source": WHY,
        "questions": [
            "Are there moments when talking feels like it is not enough?",
            "Have you ever found it easier to express yourself through something other than words?",
            "How would you feel about working in a group with others who share similar struggles?",
        ],
        "research": "",
    },
    # ------------------------------------------------------------------
    # Closing piece: always shown last
    # ------------------------------------------------------------------
    {
        "key": "raise-it-with-your-therapist",
        "title": "Bring it to your next session",
        "body": (
            "Whatever you noticed this week, whether it is impatience, unease, missed homework or simply "
            "a sense that something is off, your next session is the place to say it. You do not need "
            "the right words; 'I wanted to talk about how therapy is going' is enough to start. An "
            "honest conversation with your therapist is the best first step."
        ),
        "audience": "client",
        "source": WHEN,
        "questions": [],
        "research": "",
    },
]


def load_advice(advice_model) -> int:
    """Create the pieces above that are missing; leave existing ones (and any
    edits made in the admin) alone. Takes the model so that a data migration
    can pass its historical one, and sets only the fields that model has.
    Returns how many were created."""
    has = {field.name for field in advice_model._meta.get_fields()}
    created = 0
    for piece in ADVICE:
        defaults = {
            "title": piece["title"],
            "body": piece["body"],
            "audience": piece["audience"],
            "source": piece["source"],
            "questions": "\n".join(piece["questions"]),
            "research": piece["research"],
        }
        for field in TRANSLATED:
            defaults[f"{field}_en"] = defaults[field]
            defaults[f"{field}_es"] = spanish_text(piece["key"], field)
        _, made = advice_model.objects.get_or_create(
            key=piece["key"], defaults={k: v for k, v in defaults.items() if k in has}
        )
        created += made
    return created


# The fields kept in each language (guidance/translation.py).
TRANSLATED = ("title", "body", "questions")


def spanish_text(key: str, field: str) -> str:
    """A piece's Spanish title, body or questions (one per line), from content_es."""
    from .content_es import ADVICE_ES

    value = ADVICE_ES[key][field]
    return "\n".join(value) if field == "questions" else value


def load_spanish(advice_model) -> int:
    """Fill in the Spanish text of every piece that has none yet, where its
    English is still the portal's own: a field a practice rewrote in the admin
    keeps falling back to their English rather than showing Spanish for words
    they replaced. Spanish written in the admin is left alone. Returns how many
    pieces it filled."""
    shipped = {piece["key"]: piece for piece in ADVICE}
    filled = 0
    for advice in advice_model.objects.filter(key__in=shipped):
        piece = shipped[advice.key]
        english = {**piece, "questions": "\n".join(piece["questions"])}
        changed = [
            f
            for f in TRANSLATED
            if not getattr(advice, f"{f}_es") and getattr(advice, f"{f}_en") == english[f]
        ]
        for field in changed:
            setattr(advice, f"{field}_es", spanish_text(advice.key, field))
        if changed:
            advice.save(update_fields=[f"{f}_es" for f in changed])
            filled += 1
    return filled


def credit(source: str, research: str) -> str:
    """The line under a piece that says where it comes from, article and research apart."""
    parts = []
    if source:
        parts.append(
            gettext("From the article “%(title)s”.") % {"title": SOURCES.get(source, source)}
        )
    if research:
        parts.append(gettext("Research: %(research)s.") % {"research": research})
    return " ".join(parts)
