"""Names of each heritage the demo households come from (demo.household).

Plain data. Surnames are ordered most common first: the generator weights
them that way, so a search for "Smith" finds many people and one for
"Tebbutt" a few, as in a real county. The mix is roughly Leicestershire's,
with the county's large Gujarati community and its newer arrivals.
"""


class Heritage:
    """Names and language of one heritage, and how often households of it appear."""

    def __init__(
        self,
        key,
        weight,
        ethnicity,
        language,
        *,
        surnames,
        female_adult,
        male_adult,
        female_child=None,
        male_child=None,
        other_language_share=0.0,
        interpreter_share=0.0,
        female_surnames=None,
    ):
        self.key = key
        self.weight = weight
        self.ethnicity = ethnicity
        self.language = language
        self.surnames = surnames.split()
        self.female_adult = female_adult.split()
        self.male_adult = male_adult.split()
        self.female_child = (female_child or female_adult).split()
        self.male_child = (male_child or male_adult).split()
        # Of adults, the share whose first language is not English, and of those
        # the share who need an interpreter.
        self.other_language_share = other_language_share
        self.interpreter_share = interpreter_share
        # Where women usually carry another family name (Kaur, Begum).
        self.female_surnames = female_surnames.split() if female_surnames else None


ENGLISH_SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Wood Jackson Clarke Harris Lewis Turner Hill Moore Cooper "
    "Ward Morris King Watson Baker Harrison Morgan Mason Marshall Bailey Hughes Allen Young Scott "
    "Parker Bennett Cook Shaw Chapman Ellis Webb Palmer Holmes Mills Hunt Fox Stevens Knight "
    "Dixon Pearson Bradley Barker Payne Atkinson Lee Richardson Thomas Edwards Martin Adams "
    "Simpson Lawrence Griffiths Kelly Carter Phillips Mitchell Russell Butler Gibson Pearce "
    "Cox Dawson Rogers Stewart Harvey Graham Murphy Ryan Hudson Foster Gray Rose Kennedy Wells "
    "Riley Fisher Ball Lloyd Hayes Barnes Reynolds Lowe Burton Holland Newman Matthews Owen "
    "Spencer Sutton Dunn Booth Bates Hart Jenkins Walsh Marsh Fletcher Porter Day Andrews Cole "
    "Watts Wade Pritchard Kirk Hammond Bird Page Godfrey Curtis Chambers Gill Middleton Woodward "
    "Storer Squires Tebbutt Wigley Toon Hallam Shipman Bramley Orton Sharpe Buswell Cufflin "
    "Pochin Ludlam Cramp Hextall Gamble Whittaker Bromley Bosworth Shelton Goodacre Measures "
    "Thorpe Glover Tansley Hickling Hubbard Moss Freeman Jarvis Warren Slater Farmer Tyler "
    "Thomson Thompsett Johnston Johnstone Smithson Smyth Stephenson Stevenson Ashby Coltman "
    "Wakefield Weston Nash Briggs Hewitt Bowler Dakin Noon Paget Pegg Pole Raven Stokes Swain"
)

HERITAGES = [
    Heritage(
        "english",
        70,
        "white",
        "English",
        surnames=ENGLISH_SURNAMES,
        female_adult=(
            "Sarah Emma Laura Gemma Kelly Lisa Claire Nicola Kirsty Stacey Danielle Hayley Amy "
            "Jade Chloe Rebecca Samantha Charlotte Jessica Katie Lauren Victoria Jennifer "
            "Elizabeth Catherine Katherine Michelle Joanne Leanne Kerry Natalie Rachel Hannah "
            "Stephanie Zoe Abigail Sophie Kayleigh Louise Amanda Donna Tracey Karen Julie "
            "Jodie Carly Holly Megan Bethany Courtney Shannon Paige Jasmine Ellie"
        ),
        male_adult=(
            "David Paul Mark Andrew Lee Darren Craig Wayne Jason Daniel James Matthew "
            "Christopher Michael Robert Richard Thomas Stephen Steven Anthony Jonathan Ryan Liam "
            "Jamie Dean Gary Scott Adam Luke Kieran Nathan Benjamin Joshua Samuel Carl Shaun "
            "Neil Simon Stuart Martin Ian Kevin Jordan Connor Callum Bradley Ashley Aaron Jake "
            "William Joseph Nicholas Alexander Edward"
        ),
        female_child=(
            "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Sophia Grace Freya Florence Willow "
            "Poppy Evie Ella Ruby Millie Daisy Sienna Rosie Harper Lexi Maisie Phoebe Emily "
            "Charlotte Jessica Elizabeth Abigail Scarlett Darcie Layla Esme Matilda Erin Molly "
            "Eva Hallie Lacey Summer Tilly Imogen Holly Alice Niamh Katie Ellie Megan Chloe"
        ),
        male_child=(
            "Oliver Noah George Arthur Leo Muhammad Harry Oscar Archie Henry Jack Theo Charlie "
            "Freddie Alfie Thomas Jacob William Lucas Tommy Finley Riley Teddy Mason Tyler "
            "Logan Kayden Ethan Joshua Samuel Daniel Alexander Joseph James Benjamin Max Reggie "
            "Jenson Harley Bobby Ronnie Frankie Jaxon Louie Callum Kai Dylan Lewis Toby Zachary"
        ),
    ),
    Heritage(
        "gujarati",
        7,
        "asian",
        "Gujarati",
        surnames=(
            "Patel Mistry Parmar Chauhan Solanki Joshi Shah Modi Desai Mehta Lad Pandya Gohil "
            "Rathod Makwana Kotecha Thakrar Raval Vaghela Bhatt Chavda Jadeja Tailor Valand"
        ),
        female_adult=(
            "Priya Anjali Hetal Nisha Kajal Rupal Mital Sonal Bhavna Jyoti Kiran Hema Nita "
            "Pooja Neha Dipti Rekha Minaxi Komal Reshma"
        ),
        male_adult=(
            "Rajesh Mehul Nilesh Hitesh Jayesh Kishan Sanjay Vijay Ketan Paresh Bhavesh Dinesh "
            "Rakesh Mitesh Amit Ashok Manish Pravin Suresh Deepak"
        ),
        female_child="Anaya Diya Aanya Siya Riya Kavya Isha Avni Prisha Tara Mira Saanvi",
        male_child="Aarav Vihaan Dhruv Arjun Krish Rohan Dev Ishaan Aryan Reyansh Kian Veer",
        other_language_share=0.5,
        interpreter_share=0.2,
    ),
    Heritage(
        "punjabi",
        2,
        "asian",
        "Punjabi",
        surnames="Singh Sandhu Gill Dhillon Johal Bains Sidhu Atwal Sahota Grewal Virdee Bassi",
        female_surnames="Kaur",
        female_adult="Harpreet Gurpreet Manpreet Jaspreet Simran Amrit Rajinder Kulwinder Navdeep",
        male_adult="Jaswinder Harjit Kuldip Sukhdev Gurdeep Parminder Balvinder Ranjit Jagdeep",
        female_child="Simran Jasleen Harleen Amrit Navneet Anmol Prabhleen",
        male_child="Arjun Jaskaran Harvir Gurveer Ekam Sahib Jai Veer",
        other_language_share=0.4,
        interpreter_share=0.15,
    ),
    Heritage(
        "pakistani",
        2,
        "asian",
        "Urdu",
        surnames="Khan Hussain Ahmed Ali Akhtar Iqbal Mahmood Rashid Butt Malik Qureshi Aslam",
        female_adult="Ayesha Fatima Zainab Maryam Sana Nadia Amina Hafsa Shazia Nasreen Rubina",
        male_adult="Mohammed Muhammad Imran Bilal Usman Tariq Asif Kamran Shahid Naveed Irfan",
        female_child="Aisha Maryam Hafsa Zara Inaya Eshal Hania Mariam Safa",
        male_child="Muhammad Mohammed Adam Yusuf Zain Hamza Ibrahim Ayaan Musa Rayyan",
        other_language_share=0.45,
        interpreter_share=0.2,
    ),
    Heritage(
        "bangladeshi",
        1,
        "asian",
        "Bengali (Sylheti)",
        surnames="Miah Uddin Rahman Islam Hoque Chowdhury Ahmed Ali Hussain Khatun",
        female_surnames="Begum Khatun",
        female_adult="Rokeya Shahanara Fahima Rumena Jesmin Nazma Salma Rehana",
        male_adult="Abdul Shahid Jamal Kamal Abul Nazrul Faruk Rashid",
        female_child="Tasnim Sumaiya Afia Nusrat Anisa Tahmina",
        male_child="Rayhan Sami Tanvir Ayaan Ishaq Nabil",
        other_language_share=0.55,
        interpreter_share=0.3,
    ),
    Heritage(
        "polish",
        4,
        "white",
        "Polish",
        surnames=(
            "Nowak Kowalski Wisniewski Wojcik Kaminski Lewandowski Zielinski Szymanski Wozniak "
            "Dabrowski Kozlowski Jankowski Mazur Kwiatkowski Krawczyk"
        ),
        female_adult="Anna Katarzyna Magdalena Agnieszka Joanna Monika Ewa Justyna Karolina Marta",
        male_adult="Piotr Tomasz Krzysztof Pawel Marcin Lukasz Michal Kamil Grzegorz Adrian",
        female_child="Zofia Julia Hanna Maja Lena Amelia Oliwia Zuzanna",
        male_child="Jakub Antoni Szymon Jan Filip Kacper Aleksander Franciszek",
        other_language_share=0.7,
        interpreter_share=0.25,
    ),
    Heritage(
        "romanian",
        2,
        "white",
        "Romanian",
        surnames="Popescu Ionescu Popa Stan Dumitru Stoica Gheorghe Matei Munteanu Rusu",
        female_adult="Elena Ioana Andreea Mihaela Florina Alina Gabriela Cristina Daniela",
        male_adult="Andrei Ionut Florin Marius Gabriel Alexandru Mihai Catalin Adrian",
        female_child="Maria Sofia Ana Bianca Daria Ioana Alesia",
        male_child="David Luca Matei Stefan Darius Andrei Rares",
        other_language_share=0.75,
        interpreter_share=0.35,
    ),
    Heritage(
        "somali",
        1.5,
        "black",
        "Somali",
        surnames="Mohamed Abdi Hassan Farah Omar Warsame Jama Yusuf Ismail Aden Ahmed Nur",
        female_adult="Fadumo Hodan Ayan Sahra Hibo Ifrah Nimco Ubah Asha Hamdi Sagal",
        male_adult="Abdirahman Abdullahi Mahad Liban Guled Khalid Abdikarim Mustafe Hassan",
        female_child="Hanan Ikram Ayaan Sumaya Hafsa Nasra Amal",
        male_child="Abdirahman Mahad Yahya Ilyas Bilal Zakariya Salman",
        other_language_share=0.6,
        interpreter_share=0.35,
    ),
    Heritage(
        "nigerian",
        1,
        "black",
        "English",
        surnames="Okafor Adeyemi Okonkwo Oladipo Eze Balogun Adebayo Nwosu Obi Afolabi Okeke",
        female_adult="Chiamaka Ngozi Funmilayo Adaeze Blessing Temitope Folake Ifeoma Bukola",
        male_adult="Chinedu Oluwaseun Emeka Tunde Samuel Olumide Chukwuemeka Femi Babatunde",
        female_child="Precious Favour Tiwa Chidinma Ifeoluwa Adanna Grace",
        male_child="David Daniel Tobi Chidi Ayomide Emmanuel Joshua",
    ),
    Heritage(
        "caribbean",
        1,
        "black",
        "English",
        surnames="Campbell Brown Williams Francis Morgan Thomas Clarke Bailey Grant Reid Samuels",
        female_adult="Marcia Shanice Keisha Tanya Simone Natasha Nadine Chantelle Tamika Sharon",
        male_adult="Jermaine Tyrone Andre Marlon Delroy Winston Leon Dwayne Clinton Errol",
        female_child="Amara Nia Kiara Aaliyah Maya Jada Skye",
        male_child="Jayden Isaiah Elijah Malachi Kai Nathaniel Tyrese",
    ),
    Heritage(
        "chinese",
        0.5,
        "asian",
        "Mandarin",
        surnames="Wang Li Zhang Chen Liu Wong Lam Cheung Yang Huang Zhao Lin",
        female_adult="Mei Xin Ying Jing Lan Hui Yan Xiaoling",
        male_adult="Wei Jun Hao Ming Lei Qiang Jian Bo",
        female_child="Chloe Emily Grace Yuxin Zoe Lily",
        male_child="Ethan Ryan Jason Haoran Kevin Leo",
        other_language_share=0.6,
        interpreter_share=0.25,
    ),
    Heritage(
        "kurdish",
        0.7,
        "other",
        "Kurdish",
        surnames="Karim Rasul Aziz Hamad Mahmud Salih Qadir Omer Faraj Hama",
        female_adult="Shilan Rozhin Dilan Avin Nazdar Hana Shno Bafrin",
        male_adult="Karwan Soran Awat Rebwar Hiwa Dana Sherzad Aram",
        female_child="Lana Rayan Lava Dania Nian",
        male_child="Rawand Aland Ari Mohammed Yad",
        other_language_share=0.7,
        interpreter_share=0.4,
    ),
    Heritage(
        "syrian",
        0.5,
        "other",
        "Arabic",
        surnames="Al-Hassan Haddad Khalil Darwish Sabbagh Mansour Nasser Hamdan Jaber",
        female_adult="Rania Lina Hiba Amal Noor Yasmin Dima Rasha",
        male_adult="Ahmad Omar Khaled Mahmoud Fadi Samer Bassam Anas",
        female_child="Sara Lana Jana Maya Layan Tala",
        male_child="Adam Yousef Karam Omar Hamza Ali",
        other_language_share=0.8,
        interpreter_share=0.5,
    ),
]

# Grandparents' generation, for "other adult" members of English heritage.
ENGLISH_OLDER_FEMALE = "Margaret Susan Linda Patricia Christine Janet Carol Pauline Sandra Jean"
ENGLISH_OLDER_MALE = "John Peter Alan Brian Keith Graham Kevin Ian Colin Barry Terry Roger"
