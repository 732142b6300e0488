"""The template a new learning lab starts from: the give-get exchange of a multi-district
procurement lab, in FOCUS Lab's own words. Admins edit it into their own (each edit a new version)."""

from __future__ import annotations

TITLE = "Letter of agreement"

INTRODUCTION = (
    "{collaborative} brings school districts and their community procurement partners together to "
    "buy more healthful, regionally grown and sustainably produced food for students. This letter "
    "sets out what each participant commits to the lab (the “give”) and what the lab offers its "
    "participants in return (the “get”), so that everyone starts the school year with the same "
    "expectations."
)

GIVES_BOTH = [
    "Take part in the lab's yearly in-person gathering and its regular online meetings.",
    "Work with the other participants toward consensus on the lab's priority food items and the "
    "specification for each.",
    "Join work groups and help with research into supply chains.",
    "Share the procurement information the lab needs to follow its progress, under the data-use "
    "and confidentiality terms the participants agree on.",
    "Set aside staff time for the tasks the work groups assign.",
    "Work with distributors so that foods meeting the lab's specifications are simpler to buy.",
]

GIVES_DISTRICTS = [
    "Put the lab's priority food items, bought to specification, on the menu as often as the "
    "participants have agreed.",
]

GIVES_PARTNERS = [
    "Help the districts you serve carry out the lab's procurement goals.",
]

GETS = [
    "A community of practice, facilitated by the lab, where peers learn from one another, name "
    "problems and look for solutions together in a safe and supportive setting.",
    "A wider network of school food professionals, partners, regional and national allies, and "
    "people from industry, nonprofits and government.",
    "When funds allow, help with travel so that district staff and their partners can attend key meetings.",
    "Districts and partners aligned on shared procurement goals, using their combined buying power "
    "with industry, the supply chain and USDA.",
    "Research and analysis of supply chains and procurement policy to inform shared decisions.",
    "When resources allow, legal research and recommendations for each district's procurement "
    "documents, such as requests for proposals, invitations for bid and contracts.",
    "Coordination with USDA agencies (FNS, AMS, Rural Development) and with state and regional agencies.",
    "Prompt news of the lab's work and of progress on the specifications of its priority items.",
]

CLOSING = (
    "This letter is a statement of shared intent and good faith, not a purchasing contract. Either "
    "side may end its participation by writing to the other. We look forward to working together."
)

TERM = "One school year, renewable each year by a new letter."
