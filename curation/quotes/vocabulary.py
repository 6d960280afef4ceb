"""Word lists for the personal-data checks: capitalised words that are not people's names."""

from __future__ import annotations

TITLES = (
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Cllr", "Councillor", "Sir",
    "Dame", "Lord", "Lady", "Rev", "Revd", "Reverend", "Father", "Canon", "Baroness", "Baron",
)  # fmt: skip

RELATION_WORDS = (
    "friend", "neighbour", "neighbor", "son", "daughter", "husband", "wife", "partner", "mum",
    "mother", "dad", "father", "brother", "sister", "colleague", "manager", "boss", "carer",
    "nan", "gran", "grandson", "granddaughter", "uncle", "aunt", "auntie", "cousin", "client",
    "teacher", "tenant", "landlord", "gp", "doctor", "nephew", "niece", "child", "kids",
)  # fmt: skip

_MONTHS_DAYS = """january february march april may june july august september october november
december monday tuesday wednesday thursday friday saturday sunday easter christmas"""

_PLACES = """uk britain british england english scotland scottish wales welsh ireland irish northern
southern eastern western north south east west midlands north-east north-west south-east
south-west yorkshire humber humberside lancashire cumbria cornwall devon kent essex sussex surrey
norfolk suffolk lincolnshire durham northumberland cheshire merseyside tyne wear teesside tees
valley greater london manchester liverpool birmingham leeds sheffield bradford bristol
newcastle nottingham leicester coventry hull bath reading derby stoke plymouth southampton
portsmouth brighton cardiff swansea newport wrexham glasgow edinburgh aberdeen dundee inverness
belfast derry londonderry blackpool blackburn bolton oldham rochdale salford wigan stockport
sunderland middlesbrough gateshead doncaster rotherham barnsley wakefield huddersfield halifax
york scarborough grimsby lincoln norwich ipswich cambridge oxford milton keynes luton
northampton peterborough exeter truro gloucester worcester hereford shrewsbury telford
wolverhampton walsall dudley sandwell burnley preston lancaster carlisle barrow cumberland
merthyr tydfil rhondda valleys gwynedd powys ceredigion anglesey pembrokeshire carmarthenshire
highlands islands borders lowlands fife lothian clyde mersey thames severn humber pennines
cotswolds fens peak district lake isle wight man channel hartlepool redcar stockton darlington
town city county borough village upon on under le st saint europe european america american
park bridge vale fold combe cwm green hill hills heath moor moors wood woods field fields ford
bay cross end gate lane road street square estate estates ward quay dale brook marsh mill
common grove court row terrace little great upper lower old new market port haven
brow head top side bottom"""

# Welsh words seen capitalised in answers ("Papur Gwyn" is the White Paper).
_WELSH = """papur gwyn llywodraeth cymru cyngor sir codi gwastad y yr cymunedau senedd"""

_POLICY = """levelling level up white paper government gov department parliament minister
ministers prime secretary state mp mps whitehall westminster treasury hm his her majesty
majesty's king queen royal crown council councils county borough district authority authorities
combined mayor mayoral metro region regional regions local national fund funds funding deal
deals shared prosperity towns future high street strategy plan plans policy programme
partnership partnerships enterprise board trust trusts foundation charity charities
association society network group groups service services centre center hub office agency
institute university universities college colleges school schools academy hospital nhs gp
community communities voluntary sector public private social value impact investment
housing health care action alliance forum commission committee panel project projects
coalition labour conservative conservatives tory tories liberal democrats democrat green
greens reform party covid coronavirus pandemic lockdown brexit eu internet broadband
mission missions mr the a an this that these those it its they we our my i you your he she
in of for and but or so if when where what who why how yes no not all any every each also
just only very more most many much some new old good great big small first second third
last next one two three four five six seven eight nine ten twelve hundred thousand million
billion please thank thanks dear hello hi regards best wishes okay ok sir madam"""

NOT_NAMES: frozenset[str] = frozenset(" ".join((_MONTHS_DAYS, _PLACES, _WELSH, _POLICY)).split())
