"""The tables synthetic pools are drawn from: countries with their weights, languages and
name styles, time zones, given and family names, interests, sector and career weights."""

from __future__ import annotations

# code, relative weight, share speaking English, national languages (main first), name style.
# English-first lists mean English is a national language there.
COUNTRIES = """
US 130 1 en,es anglo|AU 120 1 en anglo|GB 70 1 en,cy anglo|CA 60 1 en,fr anglo
IN 55 .97 hi,ta,bn,te,mr,ml south_asia|NG 50 .98 en,yo,ig,ha west_africa|PH 45 .97 tl filipino
ZA 40 .98 en,af,zu,xh southern_africa|NZ 30 1 en,mi anglo|KE 28 .97 sw east_africa
IE 15 1 en,ga anglo|GH 15 .98 en,ak west_africa|UG 12 .95 en,lg east_africa|PK 12 .9 ur south_asia
MY 10 .85 ms,zh malay|BD 10 .85 bn south_asia|DE 15 .85 de german|ES 14 .7 es,ca spanish
BR 14 .6 pt portuguese|FR 12 .7 fr french|MX 12 .6 es spanish|IT 10 .7 it italian|NL 10 .9 nl dutch
CN 10 .7 zh chinese|TZ 8 .85 sw,en east_africa|ZW 8 .95 en,sn southern_africa
LK 8 .85 si,ta south_asia|SE 8 .9 sv nordic|FI 8 .85 fi,sv nordic|JP 8 .65 ja japanese
ID 8 .75 id malay|AR 8 .6 es spanish|CO 8 .6 es spanish|SG 8 1 en,zh,ms,ta malay
HK 6 .9 zh,en chinese|ZM 6 .95 en,ny southern_africa|NP 6 .8 ne south_asia|PT 6 .75 pt portuguese
PL 6 .75 pl slavic|UA 6 .7 uk,ru slavic|TR 6 .7 tr turkish|EG 6 .75 ar arabic|KR 6 .7 ko korean
VN 6 .65 vi vietnamese|NO 6 .9 no nordic|CL 6 .6 es spanish|MW 2.2 .95 en,ny southern_africa
JM 2.2 1 en anglo|ET 2.2 .85 am east_africa|BE 2.2 .85 nl,fr,de dutch|DK 2.2 .9 da nordic
GR 2.2 .75 el greek|PE 2.2 .6 es spanish|AE 2.2 .85 ar arabic|TH 2.2 .65 th thai
RU 2.2 .6 ru slavic|CH 1.8 .85 de,fr,it german|CZ 1.8 .75 cs slavic|RO 1.8 .75 ro latin
BW 1.8 .95 en,tn southern_africa|RW 1.8 .8 rw,fr east_africa|SA 1.8 .8 ar arabic
MA 1.8 .6 ar,fr arabic|IR 1.8 .6 fa persian|CM 1.8 .6 fr,en francophone|TW 1.8 .7 zh chinese
AT 1.3 .85 de german|HU 1.3 .7 hu latin|BG 1.3 .7 bg slavic|HR 1.3 .75 hr slavic
RS 1.3 .7 sr slavic|IL 1.3 .85 he,ar hebrew|JO 1.3 .8 ar arabic|LB 1.3 .75 ar,fr arabic
SN 1.3 .55 fr,wo francophone|CI 1.3 .55 fr francophone|EC 1.3 .6 es spanish|VE 1.3 .6 es spanish
TT 1.3 1 en anglo|NA 1.3 .95 en,af southern_africa|SL 1.3 .95 en west_africa
FJ 1.3 .95 en,fj pacific|KH .4 .65 km thai|MM .4 .65 my thai|MN .4 .65 mn central_asian
KZ .4 .6 kk,ru central_asian|UZ .4 .6 uz,ru central_asian|GE .4 .65 ka latin|AM .4 .65 hy latin
EE .4 .85 et nordic|LV .4 .8 lv slavic|LT .4 .8 lt slavic|SI .4 .8 sl slavic|SK .4 .75 sk slavic
IS .4 .95 is nordic|CY .4 .85 el,tr greek|MT .4 .95 mt,en latin|UY .4 .6 es spanish
CR .4 .65 es spanish|DO .4 .6 es spanish|PR .4 .85 es,en spanish|TN .4 .6 ar,fr arabic
DZ .4 .5 ar,fr arabic|QA .4 .9 ar arabic|IQ .4 .6 ar,ku arabic|LR .4 .95 en west_africa
PG .4 .95 en pacific|AO .4 .5 pt portuguese|MZ .4 .5 pt portuguese|CD .4 .5 fr,ln francophone
SD .4 .7 ar,en arabic|MU .4 .85 en,fr francophone|PY .2 .5 es,gn spanish|BO .2 .5 es,qu spanish
PA .2 .7 es spanish|GT .2 .55 es spanish|HN .2 .55 es spanish|SV .2 .55 es spanish
NI .2 .5 es spanish|CU .2 .5 es spanish|HT .2 .5 fr,ht francophone|GY .2 1 en anglo
BZ .2 .95 en,es anglo|BB .2 1 en anglo|BS .2 1 en anglo|KW .2 .85 ar arabic|OM .2 .85 ar arabic
PS .2 .7 ar arabic|SY .2 .6 ar arabic|YE .2 .6 ar arabic|AF .2 .6 ps,fa persian
BT .2 .9 dz,en south_asia|MV .2 .9 dv,en south_asia|LA .2 .6 lo thai|KG .2 .6 ky,ru central_asian
BJ .2 .5 fr francophone|BF .2 .5 fr francophone|ML .2 .5 fr francophone|TG .2 .5 fr francophone
MG .2 .5 mg,fr francophone|SS .2 .95 en east_africa|SO .2 .7 so,ar east_africa
CV .2 .6 pt portuguese|LS .2 .95 st,en southern_africa|SZ .2 .95 ss,en southern_africa
GM .2 .95 en west_africa|WS .2 .95 sm,en pacific|TO .2 .95 to,en pacific|SB .2 .95 en pacific
VU .2 .9 bi,en,fr pacific|LU .2 .9 lb,fr,de german|AL .2 .7 sq latin|MK .2 .7 mk slavic
BA .2 .7 bs slavic|MD .2 .7 ro latin|BY .2 .6 be,ru slavic|AZ .2 .6 az central_asian
"""

# Big countries span several zones: weight the ones where most people live.
ZONES = {
    "US": "America/New_York:5 America/Chicago:3 America/Denver:1 America/Los_Angeles:3 "
    "Pacific/Honolulu:.2",
    "CA": "America/Toronto:5 America/Vancouver:2 America/Edmonton:1.5 America/Winnipeg:.5 "
    "America/Halifax:.6 America/St_Johns:.2",
    "AU": "Australia/Sydney:4 Australia/Melbourne:3 Australia/Brisbane:2 Australia/Perth:1.2 "
    "Australia/Adelaide:.8 Australia/Hobart:.3 Australia/Darwin:.2",
    "BR": "America/Sao_Paulo:8 America/Manaus:1 America/Fortaleza:1",
    "RU": "Europe/Moscow:6 Asia/Yekaterinburg:1 Asia/Novosibirsk:1 Asia/Vladivostok:.5",
    "MX": "America/Mexico_City:6 America/Tijuana:1 America/Cancun:.5",
    "ID": "Asia/Jakarta:6 Asia/Makassar:2 Asia/Jayapura:.5",
    "KZ": "Asia/Almaty:3 Asia/Aqtobe:1",
    "UA": "Europe/Kyiv:1",
    "UZ": "Asia/Tashkent:1",
    "CD": "Africa/Kinshasa:2 Africa/Lubumbashi:1",
    "ES": "Europe/Madrid:9 Atlantic/Canary:1",
    "PT": "Europe/Lisbon:9 Atlantic/Azores:.5",
    "CL": "America/Santiago:1",
    "EC": "America/Guayaquil:1",
    "NZ": "Pacific/Auckland:1",
    "PG": "Pacific/Port_Moresby:1",
    "AR": "America/Argentina/Buenos_Aires:1",
    "MN": "Asia/Ulaanbaatar:1",
    "MY": "Asia/Kuala_Lumpur:1",
    "DE": "Europe/Berlin:1",
    "CN": "Asia/Shanghai:1",
}

# Given names and family names by style; "vietnamese", "chinese", "japanese" and
# "korean" put the family name first.
NAMES = {
    # style: (given names, family names, full names in a native script); "_" joins the
    # words of one name.
    "anglo": (
        "Emily Olivia Jack Liam Chloe Noah Grace Aroha Siobhán Zoë Renée Mackenzie Tāne Sarah "
        "Michael Jessica Daniel Hannah James Megan Thomas Aoife Ruby Oliver Isla Ethan Mia Lachlan "
        "Brianna Dylan Niamh Connor Kiri Madison",
        "Smith Johnson O'Brien Williams Brown Taylor Nguyen Wilson Murphy MacDonald Ngata Patel "
        "Anderson Thompson Martin White Harris Clarke Walker Robinson Kelly Campbell Stewart "
        "Hughes Evans Roberts Te_Whata Morrison Fitzgerald Gallagher Okonkwo Chen Singh Reid",
        "",
    ),
    "south_asia": (
        "Priya Ananya Rahul Aarav Lakshmi Sanjay Farhana Nimal Kavya Sudeep Ayesha Ishaan Deepa "
        "Arjun Meera Vikram Sunita Rohan Tahmina Kasun Anjali Bilal Sneha Harish",
        "Sharma Iyer Banerjee Reddy Perera Khan Chowdhury Nair Fernando Gupta Shrestha Qureshi "
        "Mukherjee Pillai Desai Kulkarni Rahman Jayasinghe Menon Bhattarai Siddiqui Rao Joshi",
        "प्रिया_शर्मा லக்ஷ்மி_ஐயர்",
    ),
    "west_africa": (
        "Oluwaseun Chiamaka Adaeze Kwame Abena Emeka Ngozi Tunde Yaw Fatima Ifeoma Kofi Funmilayo "
        "Chinedu Adwoa Yetunde Obinna Akosua Bukola Ikenna Zainab Kwabena Folake Musa",
        "Adeyemi Okafor Mensah Boateng Nwosu Balogun Okoro Asante Bello Eze Danjuma Owusu "
        "Olawale Nnamdi Appiah Adebayo Ogunleye Amoah Ibrahim Onyekachi Agyeman Lawal Okeke",
        "",
    ),
    "east_africa": (
        "Wanjiru Achieng Baraka Amani Mwangi Nafula Tesfaye Selam Zawadi Juma Aisha Mekdes Akinyi "
        "Kipchoge Nasimiyu Tumaini Neema Abebe Rehema Wambui Ochieng Nakato",
        "Otieno Kamau Njoroge Mutua Okello Kiptoo Bekele Haile Mwakyusa Nyambura Omondi Wekesa "
        "Mugisha Nakamya Wanyama Chebet Kariuki Tadesse Mollel Ssempala",
        "ሰላም_ኃይሌ",
    ),
    "southern_africa": (
        "Thandiwe Sipho Lerato Nomvula Tendai Kagiso Mpho Chipo Johan Annelie Tatenda Naledi "
        "Bongani Zanele Thabo Palesa Farai Mwila Kgomotso Pieter Nandi Chanda",
        "Dlamini Nkosi Mokoena van_der_Merwe Moyo Banda Phiri Botha Ndlovu Mabaso Sithole "
        "Khumalo Mthembu Chikwanha Mwale Pretorius Mahlangu Tshabalala Zulu Mulenga",
        "",
    ),
    "filipino": (
        "Maria_Cristina Jose Rizalina Mark Angelica Jun Ligaya Marites Paolo Kristine Rodel "
        "Ma._Theresa Jerome Liezl Rommel Maricel Arnel Jocelyn Noel Divina",
        "Dela_Cruz Santos Reyes Bautista Garcia Mendoza Villanueva Aquino Ramos Castillo Tan "
        "Manalo Macapagal Soriano Pascual Domingo Navarro Dizon Salazar Lacson",
        "",
    ),
    "malay": (
        "Nur_Aisyah Muhammad_Hafiz Siti_Aminah Dewi Budi Wei_Ling Putri Rizky Arjun Farah",
        "Abdullah Rahman Santoso Wijaya Hassan Tan Lim Ismail Kusuma Pratama Ong Raj",
        "",
    ),
    "german": (
        "Jürgen Anneliese Lukas Sophie Maximilian Hannah Jörg Greta Lea Matthias Käthe Felix",
        "Müller Schmidt Schröder Weiß Fischer Becker Hoffmann Krüger Meier Schäfer Köhler Wagner",
        "",
    ),
    "spanish": (
        "José_María Lucía Alejandro Sofía Martín Valentina Mateo Camila Begoña Iñaki Ximena",
        "Núñez García Rodríguez Martínez López Hernández Pérez Gómez Muñoz Díaz Peña Ibáñez",
        "",
    ),
    "portuguese": (
        "João Ana_Luíza Conceição Gonçalo Inês Thiago Beatriz Raimundo Lúcia Sebastião Joana",
        "Silva Santos Magalhães Araújo Gonçalves Ribeiro Simões Assunção Melo Brandão",
        "",
    ),
    "french": (
        "Amélie Élodie François Hélène Benoît Chloé Théo Léa Céline Jérôme Anaïs Gaëlle",
        "Lefèvre Dubois Martin Girard Lemaître Moreau Bérubé Fournier Rousseau Bonnet",
        "",
    ),
    "francophone": (
        "Aminata Moussa Fatou Mamadou Awa Koffi Ousmane Mariam Désiré Aïssatou Jean-Baptiste",
        "Diop Traoré Ndiaye Coulibaly Ouédraogo Kaboré Kouassi Sow Diallo Rakoto Tshibanda",
        "",
    ),
    "italian": (
        "Giulia Francesca Lorenzo Niccolò Chiara Matteo Alessia Gianluca Federica",
        "Rossi Bianchi Esposito Romano Colombo Ricci Marino Greco De_Luca Conti Gallo",
        "",
    ),
    "dutch": (
        "Sanne Daan Femke Joost Lotte Bram Anouk Sjoerd Maaike Thijs Eline Wouter",
        "de_Vries Jansen van_Dijk Bakker Visser Smit Meijer de_Boer Mulder Peeters Maes",
        "",
    ),
    "nordic": (
        "Åsa Björn Sigrún Mikael Päivi Jussi Ingrid Søren Aino Kristján Märta Øystein",
        "Lindqvist Johansson Virtanen Korhonen Nieminen Hansen Sørensen Berg Guðmundsdóttir",
        "",
    ),
    "slavic": (
        "Agnieszka Łukasz Kateřina Jiří Olena Dmytro Małgorzata Tomáš Snežana Oksana Nikola",
        "Kowalski Nowak Wiśniewska Dvořák Novák Shevchenko Kovalenko Petrović Horvat Jovanović",
        "Ольга_Иванова Олена_Коваленко",
    ),
    "latin": (
        "Ioana Andrei Zsófia Bence Nino Giorgi Anahit Arman Elira Mihai Réka Dorina",
        "Popescu Ionescu Nagy Kovács Beridze Kapanadze Petrosyan Borg Camilleri Hoxha",
        "ნინო_ბერიძე Անահիտ_Պետրոսյան",
    ),
    "greek": (
        "Eleni Giorgos Maria Dimitris Katerina Nikos Sofia Yiannis Athina Christos",
        "Papadopoulou Georgiou Nikolaidis Konstantinou Ioannou Christodoulou Vlachou",
        "Ελένη_Παπαδοπούλου",
    ),
    "turkish": (
        "Ayşe Mehmet Elif Mustafa Zeynep Emre Gülşen Çağlar Şebnem Özgür",
        "Yılmaz Kaya Demir Şahin Çelik Yıldız Öztürk Aydın Arslan Doğan",
        "",
    ),
    "arabic": (
        "Fatima Ahmed Layla Omar Nour Youssef Mariam Khaled Hala Tariq Rania",
        "Al-Sayed Haddad Mansour Khalil Al-Farsi Nasser Saleh Abdelrahman El-Masry",
        "فاطمة_حداد ليلى_منصور",
    ),
    "persian": (
        "Maryam Reza Shirin Ali Parisa Dariush Niloufar Hossein Zahra Kian",
        "Hosseini Rahimi Karimi Mohammadi Ahmadi Tehrani Rostami Sadeghi",
        "مریم_حسینی",
    ),
    "hebrew": (
        "Noa Yael Avi Tamar Eitan Shira Daniel Michal Yossi",
        "Cohen Levi Mizrahi Peretz Biton Friedman Katz Avraham",
        "נועה_כהן",
    ),
    "chinese": (
        "Fang Wei Xiuying Jun Lina Hao Meilan Zhiqiang",
        "Wang Li Zhang Liu Chen Yang Huang Zhao",
        "王芳 李伟 张静 陈丽娟",
    ),
    "japanese": (
        "Hanako Yuki Haruto Sakura Ren Aoi Yūto Mei",
        "Satō Suzuki Takahashi Tanaka Watanabe Itō Yamamoto",
        "佐藤花子 鈴木陽翔",
    ),
    "korean": (
        "Min-jun Seo-yeon Ji-ho Ha-eun Do-yun Ji-woo",
        "Kim Lee Park Choi Jung Kang",
        "김민준 이서연",
    ),
    "vietnamese": (
        "Thị_Lan Văn_Minh Thị_Hương Đức_Anh Thu_Trang Quốc_Bảo Ngọc_Ánh Hoàng_Long",
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Võ Đặng Bùi",
        "",
    ),
    "thai": (
        "Somchai Siriporn Kannika Anan Malee Sopheap Dara Aung Thandar Khamla",
        "Srisai Chaiyaporn Wongsakul Rattanakorn Sok Chan Win Htun Phommachanh",
        "สมชาย_ศรีใส",
    ),
    "central_asian": (
        "Aigerim Nurlan Dilnoza Bekzod Saule Timur Oyunchimeg Bat-Erdene Leyla Elvin",
        "Nurpeisova Abdullayev Karimova Bolat Batbayar Aliyev Mammadova Tashkentova",
        "Айгерим_Нурпеисова",
    ),
    "pacific": (
        "Mere Sione Losana Tevita Salote Iosefa Ana Malakai Litia Jone",
        "Vakaloloma Tupou Fonoti Ratu Taufa Leota Kaufana Naivalu",
        "",
    ),
}
# Countries that write the family name first.
FAMILY_FIRST = frozenset({"VN", "CN", "TW", "HK", "JP", "KR"})

INTERESTS = (
    "advocacy",
    "spaces",
    "leadership",
    "cataloguing",
    "digital literacy",
    "research data",
    "open access",
    "children",
    "outreach",
    "archives",
    "information literacy",
    "collection development",
    "metadata",
    "marketing",
    "community engagement",
    "preservation",
    "technology",
    "copyright",
    "indigenous knowledge",
    "reference services",
)
SECTOR_WEIGHTS = (45, 20, 10, 8, 5, 5, 4, 3)  # in the order of vocab.SECTORS
STAGE_WEIGHTS = (10, 30, 35, 25)  # student, early, mid, senior
SECOND_LANGUAGES = ("fr", "es", "de", "pt", "ar", "zh", "ru")
