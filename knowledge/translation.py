"""English questions over French passages: detect an English query and add French terms.

The lexical index is analysed in French, so an English question finds French passages only
through shared names. `french_terms` adds, for the words and phrases of a small bilingual
lexicon of the domain (territorial digital policy, open data, governance, evaluation,
environment), their usual French renderings; the lexical side then searches the question
and those terms together. Nothing is downloaded and nothing is guessed beyond the lexicon:
a word it does not know is left as it is (names and acronyms are the same in both languages).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["LEXICON", "french_terms", "is_english"]

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

_ENGLISH_WORDS = """
    the of and to in is are was were be been what which who whom whose how why when where
    does do did should would could can will must with from for by on at this that these
    those their there its it they have has had not or an as into than such about
"""
_FRENCH_WORDS = """
    le la les des du de un une et est sont pour par sur dans que qui quoi quel quelle quels
    quelles comment pourquoi au aux ce cette ces il elle ils elles nous vous on ne pas plus
    avec être avoir fait faut peut doit
"""
_ENGLISH_MARKERS = frozenset(_ENGLISH_WORDS.split())
_FRENCH_MARKERS = frozenset(_FRENCH_WORDS.split())


def is_english(text: str) -> bool:
    """Whether `text` reads as English: more English than French function words, and at
    least one of them (a bare keyword query is treated as language-neutral)."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    english = sum(w in _ENGLISH_MARKERS for w in words)
    french = sum(w in _FRENCH_MARKERS for w in words)
    return english > 0 and english > french


_ENTRIES = """
access: accès
accessibility: accessibilité
accountability: redevabilité
accountable: redevabilité
administration: administration
administrative: administratif administrative
agency: agence
agents: agents
agglomeration: agglomération
aim: objectif
algorithm: algorithme
algorithms: algorithmes
anonymisation: anonymisation
anonymization: anonymisation
anonymise: anonymiser
application: application
applications: applications
assessment: évaluation
authorities: collectivités autorités
authority: collectivité autorité
benefit: bénéfice intérêt
benefits: bénéfices intérêts
budget: budget
buildings: bâtiments
business: entreprise
capped: plafonné
categories: catégories
category: catégorie
challenge: enjeu défi
challenges: enjeux défis
change: changement
charge: redevance payer
charged: redevance payer
charges: redevances
citizen: citoyen habitant
citizens: citoyens habitants
city: ville
cities: villes
civil society: société civile
climate: climat climatique
co-construction: co-construction
co-creation: co-création
collaboration: collaboration coopération
collaborative: collaborative
commons: communs
community: communauté
compare: comparer
conditions: conditions
connected: connectés connecté
consultation: concertation consultation
contract: contrat marché
contracts: contrats marchés
cooperation: coopération
cost: coût
costs: coûts
council: conseil
criteria: critères
cycle: cycle
data: données
dataset: jeu de données
datasets: jeux de données
debt: dette
decision: décision
decisions: décisions
decision-making: décision
define: définir définition
defined: définies définition
definition: définition
demand: demande
digital: numérique
digital twin: jumeau numérique
digital twins: jumeaux numériques
disclosure: publication diffusion
document: document
documents: documents
drinking water: eau potable
duration: durée
ecodesign: écoconception
eco-design: écoconception
effect: effet
effects: effets
electricity: électricité
emissions: émissions
energy: énergie
engagement: engagement
environment: environnement
environmental: environnementale environnemental
equipment: équipements matériel
evaluate: évaluer évaluation
evaluation: évaluation
explain: expliquer
factor: facteur
factors: facteurs
fee: redevance
fees: redevances
figure: chiffre
flood: inondation
flooding: inondation
footprint: empreinte
free: gratuit libre
funding: financement
goal: objectif
goals: objectifs
governance: gouvernance
government: gouvernement État
hardware: matériel
heat: chaleur
housing: logement
impact: impact
inclusion: inclusion
index: indice
indicator: indicateur
indicators: indicateurs
infrastructure: infrastructure infrastructures
infrastructures: infrastructures
inhabitants: habitants
key: clés
law: loi
leadership: leadership pilotage
level: niveau
levels: niveaux
licence: licence
license: licence
lighting: éclairage
local: local locale
local authorities: collectivités
local authority: collectivité
lock-in: dépendance enfermement
maintenance: maintenance
management: gestion pilotage
maturity: maturité
mayor: maire
measure: mesurer mesure
metropolis: métropole
mobility: mobilité
name: nom appellation
needs: besoins
network: réseau
networks: réseaux
obligation: obligation
obligations: obligations
open: ouvert ouverte
open data: open data données ouvertes
open governance: gouvernance ouverte
opening: ouverture
operator: opérateur
operators: opérateurs
participation: participation
personal data: données personnelles caractère personnel
pilot: pilote expérimentation
planning: planification
platform: plateforme
policies: politiques
policy: politique
population: population
portal: portail
privacy: vie privée
proactive: proactive
procurement: achat commande publique marchés
project: projet
projects: projets
proximity: proximité
public: public publique
public policies: politiques publiques
public policy: politique publique
public value: valeur publique
publish: publier
purchase: achat
purchases: achats
purchasing: achats
quality: qualité
quarter-hour city: ville du quart d'heure
reasons: raisons
recycling: recyclage
refurbished: reconditionné
register: registre
relations: relations
renewal: renouvellement
repair: réparation
report: rapport
reports: rapports
residents: habitants
resources: ressources
responsible: responsable
reuse: réutilisation réemploi
reused: réemploi réutilisation
risk: risque
risks: risques
role: rôle
rule: règle
rules: règles
schools: écoles
seasonal: saisonnières saison
seaside: balnéaire
security: sécurité
sensor: capteur
sensors: capteurs
services: services
share: part partage
sharing: partage
simultaneously: simultanée simultanément
smart: intelligente intelligent
smart city: smart city ville intelligente
sobriety: sobriété
sovereignty: souveraineté
staff: agents personnel
stakeholders: parties prenantes acteurs
standard: standard norme
strategy: stratégie
success: succès réussite
survey: enquête
sustainability: durabilité
sustainable: durable
technology: technologie
technologies: technologies
territorial: territoire territorial
territories: territoires
territory: territoire
theme: thématique
timetable: horaires
timetables: horaires
tool: outil
tools: outils
training: formation
transparency: transparence
transport: transport
twin: jumeau
urban: urbain urbains
urban heat islands: îlots de chaleur urbains
usage: usage
use: usage utilisation
use cases: cas d'usages
uses: usages
value: valeur
vendor: prestataire fournisseur
waste: déchets
water: eau
year: année
"""


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in _ENTRIES.strip().splitlines():
        english, _, french = line.partition(":")
        entries[english.strip().replace("-", " ")] = french.strip()
    return entries


LEXICON = _lexicon()
"""English word or phrase → French renderings (separated by spaces)."""

_LONGEST = max(len(k.split()) for k in LEXICON)


def french_terms(text: str) -> str:
    """French renderings of the lexicon's words and phrases found in `text` (longest phrase
    first), joined by spaces; empty when none is known."""
    words = _WORD.findall(text.lower().replace("’", "'").replace("-", " "))
    found: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size])
            if phrase in LEXICON:
                found.append(LEXICON[phrase])
                i += size
                break
        else:
            i += 1
    return " ".join(dict.fromkeys(found))
