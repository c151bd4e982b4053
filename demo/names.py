"""Places, schools, nicknames and misspellings the demo households are drawn from (demo.families).

Plain data, kept apart so the generator reads as rules. Each heritage's
names are in demo.heritages.
"""

# Leicestershire's districts (demo.organisations.DISTRICTS), weighted by population
# (2021 census, thousands), each with its towns: (name, outward postcode, weight).
DISTRICT_TOWNS = {
    "Blaby": (
        102,
        [
            ("Blaby", "LE8", 2),
            ("Whetstone", "LE8", 2),
            ("Countesthorpe", "LE8", 1),
            ("Enderby", "LE19", 2),
            ("Narborough", "LE19", 1),
            ("Braunstone Town", "LE3", 3),
            ("Glenfield", "LE3", 2),
            ("Kirby Muxloe", "LE9", 1),
        ],
    ),
    "Charnwood": (
        183,
        [
            ("Loughborough", "LE11", 8),
            ("Shepshed", "LE12", 2),
            ("Quorn", "LE12", 1),
            ("Sileby", "LE12", 1),
            ("Mountsorrel", "LE12", 1),
            ("Syston", "LE7", 2),
            ("Anstey", "LE7", 1),
            ("Birstall", "LE4", 2),
            ("Thurmaston", "LE4", 2),
        ],
    ),
    "Harborough": (
        97,
        [
            ("Market Harborough", "LE16", 4),
            ("Lutterworth", "LE17", 2),
            ("Broughton Astley", "LE9", 2),
            ("Kibworth", "LE8", 1),
            ("Fleckney", "LE8", 1),
        ],
    ),
    "Hinckley and Bosworth": (
        113,
        [
            ("Hinckley", "LE10", 5),
            ("Burbage", "LE10", 2),
            ("Barwell", "LE9", 2),
            ("Earl Shilton", "LE9", 2),
            ("Markfield", "LE67", 1),
            ("Groby", "LE6", 1),
        ],
    ),
    "Melton": (
        51,
        [
            ("Melton Mowbray", "LE13", 5),
            ("Asfordby", "LE14", 1),
            ("Waltham on the Wolds", "LE14", 1),
        ],
    ),
    "North West Leicestershire": (
        104,
        [
            ("Coalville", "LE67", 4),
            ("Ibstock", "LE67", 2),
            ("Whitwick", "LE67", 2),
            ("Ashby-de-la-Zouch", "LE65", 3),
            ("Kegworth", "LE12", 1),
        ],
    ),
    "Oadby and Wigston": (
        57,
        [
            ("Oadby", "LE2", 3),
            ("Wigston", "LE18", 3),
            ("South Wigston", "LE18", 1),
        ],
    ),
}

# Royal Mail never uses C, I, K, M, O or V in the last two letters of a postcode.
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

STREET_STEMS = (
    "Ashby Beaumont Belvoir Bosworth Bradgate Brook Castle Charnwood Chestnut Church Coronation "
    "Cromwell Derby Elm Forest Fosse Garendon Glebe Grange Hall Hawthorn Hazel Highfield Holly "
    "Jubilee King Kingfisher Lancaster Leicester Lime Main Manor Maple Meadow Mill Moira "
    "Nottingham "
    "Oak Orchard Park Priory Queens Rectory Regent Ridgeway Rosemary School Sharpley Sherwood "
    "Spinney Springfield Station Swithland Thornton Tudor Victoria Welland Westfield Willow "
    "Windsor Wolsey Woodland Wreake York"
).split()
STREET_TYPES = (
    "Road Road Road Street Street Close Close Avenue Drive Lane Way Crescent Gardens Rise Walk"
).split()

PRIMARY_SCHOOL_KINDS = [
    "Primary School",
    "Church of England Primary School",
    "Community Primary School",
    "Primary Academy",
    "Infant and Junior School",
]
SECONDARY_SCHOOL_KINDS = ["High School", "Academy", "College", "Community College"]


# Formal names and what people are also called: the duplicate finder's nickname
# table will hold the same pairs, so a "Bill" entered twice for "William" is found.
NICKNAMES = {
    "William": ["Bill", "Will", "Billy"],
    "Robert": ["Bob", "Rob", "Robbie"],
    "Elizabeth": ["Liz", "Beth", "Lizzie"],
    "Margaret": ["Maggie", "Peggy"],
    "Katherine": ["Kate", "Katie", "Kathy"],
    "Catherine": ["Cath", "Cathy", "Kate"],
    "Thomas": ["Tom", "Tommy"],
    "James": ["Jim", "Jamie", "Jimmy"],
    "Alexander": ["Alex", "Xander"],
    "Samantha": ["Sam", "Sammy"],
    "Samuel": ["Sam", "Sammy"],
    "Rebecca": ["Becky", "Becca"],
    "Jessica": ["Jess", "Jessie"],
    "Daniel": ["Dan", "Danny"],
    "Michael": ["Mike", "Mick"],
    "Christopher": ["Chris"],
    "Jennifer": ["Jen", "Jenny"],
    "Victoria": ["Vicky", "Tori"],
    "Joseph": ["Joe", "Joey"],
    "Benjamin": ["Ben", "Benny"],
    "Matthew": ["Matt"],
    "Nicholas": ["Nick", "Nicky"],
    "Anthony": ["Tony", "Ant"],
    "Edward": ["Ed", "Ted", "Eddie"],
    "Charlotte": ["Charlie", "Lottie"],
    "Abigail": ["Abbie", "Abby"],
    "Stephen": ["Steve"],
    "Steven": ["Steve"],
    "Richard": ["Rich", "Dick"],
    "Andrew": ["Andy", "Drew"],
    "David": ["Dave", "Davey"],
    "Jonathan": ["Jon", "Jonny"],
    "Joshua": ["Josh"],
    "Nathan": ["Nate"],
    "Frederick": ["Freddie", "Fred"],
    "Isabella": ["Bella", "Izzy"],
    "Olivia": ["Liv", "Livvy"],
    "Amelia": ["Millie", "Amy"],
    "Florence": ["Flo"],
    "Natalie": ["Nat"],
    "Stephanie": ["Steph"],
    "Zachary": ["Zac", "Zach"],
    "Mohammed": ["Mo"],
    "Muhammad": ["Mo"],
    "Katarzyna": ["Kasia"],
    "Aleksander": ["Olek"],
    "Agnieszka": ["Aga"],
}

# Spellings of the same name that people and forms mix up.
SPELLING_VARIANTS = [
    ("Jonathan", "Jonathon"),
    ("Stephen", "Steven"),
    ("Katherine", "Catherine"),
    ("Thompson", "Thomson"),
    ("Mohammed", "Muhammad"),
    ("Mohammed", "Mohammad"),
    ("Aaliyah", "Aliyah"),
    ("Kayleigh", "Kayley"),
    ("Stacey", "Stacy"),
    ("Hayley", "Haley"),
    ("Leanne", "Lianne"),
    ("Zoe", "Zoey"),
    ("Sophie", "Sophy"),
    ("Philips", "Phillips"),
    ("Clarke", "Clark"),
    ("Davies", "Davis"),
    ("Johnston", "Johnstone"),
    ("Stevenson", "Stephenson"),
    ("Smith", "Smyth"),
    ("Mohamed", "Mohammed"),
    ("Layla", "Leila"),
    ("Isla", "Islay"),
]

CHILD_DISABILITIES = [
    "Autism spectrum condition",
    "ADHD",
    "Speech, language and communication needs",
    "Social, emotional and mental health needs",
    "Moderate learning difficulty",
    "Hearing impairment",
    "Visual impairment",
    "Cerebral palsy",
    "Down's syndrome",
    "Epilepsy",
]
ADULT_DISABILITIES = [
    "Depression and anxiety",
    "Mobility impairment",
    "Learning disability",
    "Chronic pain",
    "Hearing impairment",
]
