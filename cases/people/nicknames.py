"""Comparing names: the nicknames, short forms and spellings one person goes by, and slips.

Duplicate detection (DOMAIN §3) must see that "Bill Smith" may be the "William
Smith" already on file. Each group below is a set of names used for one person;
a name may sit in several groups ("Sam" is short for Samuel and for Samantha),
but two names are the same only when one group holds both — so Samuel and
Samantha, who may well be twins, are never taken for one person.
"""

import re
import unicodedata
from functools import cache

NICKNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    # Men's names
    ("John", "Jon", "Jonathan", "Jonathon", "Johnny", "Johnnie", "Jack", "Jonny"),
    ("William", "Will", "Willie", "Willy", "Bill", "Billy", "Liam", "Wills"),
    ("Robert", "Rob", "Robbie", "Bob", "Bobby", "Bert", "Robby"),
    ("Richard", "Rich", "Richie", "Rick", "Ricky", "Dick", "Dickie"),
    ("James", "Jim", "Jimmy", "Jimmie", "Jamie", "Jem"),
    ("Thomas", "Tom", "Tommy", "Tommie"),
    ("Daniel", "Dan", "Danny", "Dani"),
    ("Samuel", "Sam", "Sammy"),
    ("Michael", "Mike", "Mikey", "Mick", "Micky", "Mickey", "Mikhail"),
    ("Christopher", "Chris", "Kit", "Topher"),
    ("Stephen", "Steven", "Steve", "Stevie", "Stefan"),
    ("Henry", "Harry", "Hal", "Hank"),
    ("Harold", "Harry", "Hal"),
    ("Edward", "Ed", "Eddie", "Eddy", "Ted", "Teddy", "Ned"),
    ("Edmund", "Ed", "Eddie", "Ted", "Ned"),
    ("Anthony", "Antony", "Tony", "Ant"),
    ("Nicholas", "Nicolas", "Nick", "Nicky", "Nico"),
    ("Patrick", "Pat", "Paddy"),
    ("Charles", "Charlie", "Chas", "Chuck", "Chaz"),
    ("Alexander", "Alex", "Alec", "Sandy", "Xander", "Sasha", "Alexandr", "Aleksander"),
    ("Andrew", "Andy", "Drew"),
    ("Benjamin", "Ben", "Benny", "Benji"),
    ("Joseph", "Joe", "Joey", "Jo"),
    ("Matthew", "Matt", "Matty"),
    ("David", "Dave", "Davey", "Davy"),
    ("Peter", "Pete"),
    ("Frederick", "Fred", "Freddie", "Freddy"),
    ("Gerald", "Gerry", "Jerry"),
    ("Jeremy", "Jerry", "Jez"),
    ("Lawrence", "Laurence", "Larry", "Laurie"),
    ("Leonard", "Len", "Lenny", "Leo"),
    ("Raymond", "Ray"),
    ("Ronald", "Ron", "Ronnie"),
    ("Donald", "Don", "Donny"),
    ("Kenneth", "Ken", "Kenny"),
    ("Terence", "Terrence", "Terry"),
    ("Timothy", "Tim", "Timmy"),
    ("Zachary", "Zach", "Zack", "Zak"),
    ("Nathan", "Nathaniel", "Nate", "Nat"),
    ("Oliver", "Ollie", "Olly"),
    ("Alfred", "Alf", "Alfie"),
    ("Archibald", "Archie"),
    ("Joshua", "Josh"),
    ("Gregory", "Greg"),
    ("Philip", "Phillip", "Phil"),
    ("Douglas", "Doug", "Dougie"),
    ("Callum", "Calum", "Cal"),
    ("Mohammed", "Muhammad", "Mohammad", "Mohamed", "Muhammed", "Mohamad", "Mohd", "Mo"),
    ("Sean", "Shaun", "Shawn"),
    ("Jayden", "Jaden", "Jaiden", "Jaydon"),
    ("Ethan", "Eathan"),
    ("Kieran", "Ciaran", "Kieron"),
    ("Declan", "Dec"),
    ("Louis", "Lewis", "Lou"),
    ("Francis", "Frank", "Frankie", "Fran"),
    # Women's names
    ("Margaret", "Maggie", "Meg", "Peggy", "Peg", "Madge", "Marge", "Margie", "Greta", "Rita"),
    ("Catherine", "Katherine", "Kathryn", "Kate", "Katie", "Kath", "Cathy", "Kathy", "Kat"),
    ("Elizabeth", "Liz", "Lizzie", "Lizzy", "Beth", "Betty", "Bess", "Eliza", "Libby"),
    ("Alexandra", "Alex", "Alexa", "Lexi", "Sasha", "Sandra", "Sandy", "Aleksandra"),
    ("Samantha", "Sam", "Sammy", "Sammie"),
    ("Christine", "Christina", "Chris", "Chrissie", "Chrissy", "Tina"),
    ("Susan", "Sue", "Susie", "Suzy", "Suzanne"),
    ("Jennifer", "Jenny", "Jen", "Jenni", "Jenna"),
    ("Rebecca", "Rebekah", "Becky", "Becca", "Bex"),
    ("Eleanor", "Elinor", "Ellie", "Nell", "Nellie", "Nora", "Elle"),
    ("Patricia", "Pat", "Patsy", "Trish", "Tricia"),
    ("Victoria", "Vicky", "Vicki", "Vikki", "Tori", "Tory"),
    ("Charlotte", "Charlie", "Lottie", "Lotte"),
    ("Deborah", "Debra", "Debbie", "Debs", "Deb"),
    ("Jacqueline", "Jackie", "Jacqui"),
    ("Josephine", "Jo", "Josie", "Jojo"),
    ("Joanne", "Joanna", "Jo", "Joanie"),
    ("Abigail", "Abi", "Abby", "Abbie", "Gail"),
    ("Amanda", "Mandy", "Manda"),
    ("Barbara", "Barb", "Babs"),
    ("Dorothy", "Dot", "Dotty", "Dolly"),
    ("Frances", "Fran", "Frankie", "Fanny"),
    ("Gillian", "Jillian", "Gill", "Jill", "Gilly"),
    ("Helen", "Helena", "Nell", "Ellen"),
    ("Jessica", "Jess", "Jessie"),
    ("Kimberley", "Kimberly", "Kim"),
    ("Louise", "Louisa", "Lou", "Lulu"),
    ("Madeleine", "Madeline", "Maddie", "Maddy"),
    ("Mary", "Molly", "Polly", "Mae", "May"),
    ("Natalie", "Nat", "Nattie"),
    ("Natasha", "Tasha", "Tash"),
    ("Pamela", "Pam"),
    ("Penelope", "Penny"),
    ("Sarah", "Sara", "Sally", "Sadie"),
    ("Stephanie", "Steph", "Stef"),
    ("Theresa", "Teresa", "Tess", "Tessa", "Terri"),
    ("Valerie", "Val"),
    ("Wendy", "Gwendolyn", "Gwen"),
    ("Zoe", "Zoey", "Zoë"),
    ("Aisha", "Ayesha", "Aysha", "Aishah"),
    ("Sophie", "Sophia", "Sofia", "Soph"),
    ("Danielle", "Dani", "Danni"),
    ("Isabel", "Isabelle", "Isobel", "Izzy", "Bella", "Issy"),
    ("Olivia", "Liv", "Livvy", "Livia"),
    ("Gabrielle", "Gabriella", "Gabby", "Gabi"),
)


def name_key(name: str) -> str:
    """A given name reduced for comparison: no accents, no case, letters only."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c)).upper()


@cache
def _groups_by_name() -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for number, group in enumerate(NICKNAME_GROUPS):
        for name in group:
            index.setdefault(name_key(name), set()).add(number)
    return {name: frozenset(numbers) for name, numbers in index.items()}


def same_given_name(a: str, b: str) -> bool:
    """Whether two given names may belong to one person: the same, or sharing a group."""
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return False
    if key_a == key_b:
        return True
    groups = _groups_by_name()
    return bool(groups.get(key_a, frozenset()) & groups.get(key_b, frozenset()))


def is_known_name(name: str) -> bool:
    """Whether the table holds this name: a typing slip rarely makes another real name."""
    return name_key(name) in _groups_by_name()


def known_as(name: str) -> set[str]:
    """Every name that `same_given_name` would accept for this one, as comparison keys.

    Candidate retrieval uses it to ask the database for first names it could
    never find by spelling alone (Peggy for Margaret).
    """
    key = name_key(name)
    if not key:
        return set()
    found = {key}
    for number in _groups_by_name().get(key, frozenset()):
        found.update(name_key(n) for n in NICKNAME_GROUPS[number])
    return found


def name_words(name: str) -> list[str]:
    """Upper-case words without accents; apostrophes join (O'Brien = OBrien), hyphens split."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"['’`]", "", plain).upper()
    return re.findall(r"[^\W\d_]+", plain)


def trigram_similarity(a: str, b: str) -> float:
    """The same measure as PostgreSQL's pg_trgm `similarity()`, so reasons agree with SQL."""
    grams_a, grams_b = _trigrams(a), _trigrams(b)
    if not grams_a or not grams_b:
        return 0.0
    return len(grams_a & grams_b) / len(grams_a | grams_b)


def _trigrams(text: str) -> set[str]:
    grams = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def typing_slips(a: str, b: str) -> int:
    """Edits between two words (insert, delete, replace, swap neighbours), stopping past 2."""
    if abs(len(a) - len(b)) > 2:
        return 3
    previous_row, row = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[len(b)]
