"""The demo's integration programme: Kokkola's programme for four years ending this year,
with the structure of the city's real programme (seed 002: themes, goals, measures with a
schedule and responsible parties, an indicator for each), written anew. A coordinator
(``kirsi``) keeps it; past years have their values, statuses and summaries, and their
reports are published. This year's follow-up is still open."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model

from casework import services
from casework.models import Municipality, Organisation, Programme, Role, Unit
from casework.services import programme as programme_services
from casework.services._common import today

COORDINATOR = ("kirsi", "Kirsi", "Järvinen", ("kokkola", "kotoutumispalvelut"))

# fmt: off
# theme (fi, sv) -> goals: (fi, sv, measures, indicators)
# measure: (fi, sv, schedule, responsible, partners); responsible = ("unit", code) |
#          ("org", code) | ("other", name)
# indicator: ("manual", fi, sv, value type, unit, scale, values by year offset) |
#            ("computed", fi, sv, computation, option)
THEMES = [
    (("Asuminen ja väestönkehitys", "Boende och befolkningsutveckling"), [
        ("Kohtuuhintaisia asuntoja on tarjolla koko kaupungin alueella, ja asuinalueet pysyvät monipuolisina",
         "Det finns bostäder till rimligt pris i hela staden och bostadsområdena förblir mångsidiga",
         [("Vuokra- ja omistusasumisen vaihtoehdoista kerrotaan uusille asukkaille heidän kielellään.",
           "Nya invånare får information om hyres- och ägarboende på sitt eget språk.",
           "Jatkuva", ("unit", "welcome-office"), "Kokkolan vuokra-asunnot, työnantajat"),
          ("Asumisneuvontaa tarjotaan kotoutumispalvelujen asiakkaille ja vuokranantajille.",
           "Boenderådgivning erbjuds integrationstjänsternas klienter och hyresvärdar.",
           "Jatkuva", ("unit", "kotoutumispalvelut"), "Asumisneuvoja, Soite"),
          ("Väestönkehitystä ja asuinalueiden eriytymistä seurataan, ja tulokset kerrotaan päättäjille.",
           "Befolkningsutvecklingen och segregationen följs upp och resultaten rapporteras till beslutsfattarna.",
           "Vuosittain talousarvion yhteydessä", ("other", "Elinkeinot ja kaupunkikehitys"), "Paikkatietopalvelut")],
         [("manual", "Asumisneuvonnan asiakaskäynnit", "Besök hos boenderådgivningen", "number", "käyntiä", None, [212, 248, 301]),
          ("manual", "Vieraskielisten osuus väestöstä", "Andelen invånare med främmande modersmål", "percentage", "", None, [6.1, 6.8, 7.4]),
          ("computed", "Uudet kotoutumispalvelujen asiakkaat", "Nya klienter inom integrationstjänsterna", "new_clients", "")]),
    ]),
    (("Kieli ja koulutus", "Språk och utbildning"), [
        ("Jokainen, joka sitä tarvitsee, oppii suomea tai ruotsia",
         "Var och en som behöver det lär sig finska eller svenska",
         [("Kielitaito arvioidaan osana palvelutarpeen arviointia, ja kielikoulutus valitaan arvion mukaan.",
           "Språkkunskaperna bedöms i kartläggningen av servicebehovet och språkutbildningen väljs därefter.",
           "Jatkuva", ("unit", "kotoutumispalvelut"), "Kpedu, Kokkolan seudun opisto"),
          ("Kotoutumiskoulutusta järjestetään myös ruotsiksi.",
           "Integrationsutbildning ordnas också på svenska.",
           "{second}–{last}", ("org", "kvarnen"), "Työllisyysalue")],
         [("computed", "Päiviä ensikontaktista valmiiseen arviointiin (mediaani)", "Dagar från första kontakt till färdig kartläggning (median)", "contact_to_assessment_median", ""),
          ("computed", "Tavoiteajassa tehdyt vaiheet", "Steg som gjorts inom måltiden", "steps_within_target", ""),
          ("manual", "Päättötestissä B1-tason saavuttaneet", "Andelen som nått nivå B1 i sluttestet", "percentage", "", None, [38, 41, 45])]),
    ]),
    (("Työ ja osaaminen", "Arbete och kompetens"), [
        ("Maahanmuuttajien osaaminen on käytössä työelämässä",
         "Invandrarnas kompetens används i arbetslivet",
         [("Työhönvalmennus, CV-ohjaus ja yksilöllinen ohjaus työnhakuun.",
           "Jobbcoachning, hjälp med CV och individuell handledning i jobbsökandet.",
           "Jatkuva", ("org", "kp-tyollisyysalue"), "Kosek, Welcome Office, järjestöt"),
          ("Kansainvälisten osaajien rekrytointitapahtuma yhdessä yritysten kanssa.",
           "Rekryteringsevenemang för internationella talanger tillsammans med företagen.",
           "Vuosittain", ("org", "kosek"), "Yritykset, Centria, Kpedu")],
         [("manual", "Rekrytointitapahtumien kautta työllistyneet", "Anställda via rekryteringsevenemangen", "number", "henkilöä", None, [14, 22, 31]),
          ("computed", "Asiakkaan hyväksymät suunnitelmat", "Planer som klienten godkänt", "plans_agreed", ""),
          ("computed", "Kieltäytymisten osuus suunnitelmista", "Andelen vägrade planer", "plan_refusal_share", "")]),
    ]),
    (("Hyvinvointi ja yhteistyö hyvinvointialueen kanssa", "Välbefinnande och samarbete med välfärdsområdet"), [
        ("Asiakas saa tarvitsemansa sosiaali- ja terveyspalvelut ilman väliinputoamista",
         "Klienten får de social- och hälsotjänster hen behöver utan att falla mellan stolarna",
         [("Monialainen arviointi tehdään yhteisin toimintatavoin hyvinvointialueen kanssa.",
           "Den sektorsövergripande bedömningen görs enligt gemensamma rutiner med välfärdsområdet.",
           "Jatkuva", ("unit", "kotoutumispalvelut"), "Soite, monialainen kotoutumistyö"),
          ("Kaupungin ja hyvinvointialueen yhteistyöryhmä kokoontuu neljästi vuodessa.",
           "Stadens och välfärdsområdets samarbetsgrupp möts fyra gånger om året.",
           "Jatkuva", ("org", "soite"), "Kototiimi")],
         [("computed", "Hyvinvointialueen osallistumiset", "Välfärdsområdets deltaganden", "wellbeing_participations", ""),
          ("computed", "Päiviä kutsusta hyvinvointialueen arvioon (mediaani)", "Dagar från inbjudan till välfärdsområdets bedömning (median)", "wellbeing_participation_median_days", ""),
          ("computed", "Henkilöt, joilla kaksi avointa polkua yhtä aikaa", "Personer med två öppna stigar samtidigt", "duplicate_open_paths", "")]),
        ("Palvelut löytyvät ajoissa",
         "Tjänsterna hittas i tid",
         [("Kotoutumissuunnitelma laaditaan viipymättä arvioinnin jälkeen ja tarkistetaan puolen vuoden välein.",
           "Integrationsplanen görs upp utan dröjsmål efter kartläggningen och ses över med sex månaders mellanrum.",
           "Jatkuva", ("unit", "kotoutumispalvelut"), "Työllisyysalue, Soite")],
         [("computed", "Päiviä arvioinnista suunnitelman hyväksymiseen (mediaani)", "Dagar från kartläggning till godkänd plan (median)", "assessment_to_plan_approval_median", ""),
          ("computed", "Ajallaan pidetyt tarkistukset", "Översyner i tid", "reviews_on_time", ""),
          ("computed", "Ilman suunnitelmaa kotoutumisajan päättyessä", "Utan plan när integrationstiden tar slut", "without_plan_at_period_end", "")]),
    ]),
    (("Osallisuus ja yhteiskuntaorientaatio", "Delaktighet och samhällsorientering"), [
        ("Uudet asukkaat tuntevat oikeutensa ja velvollisuutensa ja osallistuvat kaupungin elämään",
         "Nya invånare känner till sina rättigheter och skyldigheter och deltar i stadens liv",
         [("Monikielinen yhteiskuntaorientaatio järjestetään niillä kielillä, joita asiakkaat tarvitsevat.",
           "Flerspråkig samhällsorientering ordnas på de språk klienterna behöver.",
           "Jatkuva", ("unit", "kotoutumispalvelut"), "Soite, vastaanottokeskus"),
          ("Tietoa äänioikeudesta ja demokratiasta jaetaan usealla kielellä ennen vaaleja.",
           "Information om rösträtt och demokrati ges på flera språk före valen.",
           "{first}–{last}", ("other", "Monikulttuurisuusneuvosto"), "Welcome Office, järjestöt"),
          ("Monikulttuurisia tapahtumia tuetaan yhdessä yhdistysten ja seurakuntien kanssa.",
           "Mångkulturella evenemang stöds tillsammans med föreningar och församlingar.",
           "Jatkuva", ("other", "Kulttuuripalvelut"), "Yhdistykset, seurakunnat, oppilaitokset")],
         [("manual", "Osallisuuden kokemus asiakaskyselyssä (1–5)", "Upplevd delaktighet i klientenkäten (1–5)", "scale", "", (1, 5), [3, 3, 4]),
          ("manual", "Monikieliset infotilaisuudet", "Flerspråkiga informationstillfällen", "number", "tilaisuutta", None, [9, 12, 15])]),
    ]),
    (("Seuranta", "Uppföljning"), [
        ("Ohjelman tavoitteiden toteutumista seurataan vuosittain",
         "Hur programmets mål nås följs upp varje år",
         [("Seurantatiedot kootaan vuosittain, vaikuttavuus arvioidaan ja raportti viedään kaupunginhallitukselle osana hyvinvointikertomusta.",
           "Uppföljningsdata samlas årligen, effekterna bedöms och rapporten lämnas till stadsstyrelsen som en del av välfärdsberättelsen.",
           "Vuosittain", ("unit", "kotoutumispalvelut"), "Monikulttuurisuusneuvosto, hyte-ryhmä")],
         [("manual", "Arvio tavoitteiden toteutumisesta (1–5)", "Bedömning av hur målen nåtts (1–5)", "scale", "", (1, 5), [2, 3, 3]),
          ("computed", "Asiakkaat, joilla voimassa oleva suunnitelma vuoden lopussa", "Klienter med en gällande plan vid årets slut", "plans_in_force_at_end", "")]),
    ]),
]
# fmt: on

STATUSES = [  # per past year offset: the status of the n-th measure (cycled)
    ["ongoing", "ongoing", "not_started", "ongoing", "done", "ongoing", "ongoing"],
    ["ongoing", "done", "ongoing", "ongoing", "done", "ongoing", "dropped"],
    ["done", "done", "ongoing", "done", "done", "ongoing", "ongoing"],
]
SUMMARIES = [
    "Ohjelman ensimmäinen vuosi: toimintatavat hyvinvointialueen kanssa sovittiin ja "
    "seurannan mittarit otettiin käyttöön. Asumisneuvonnan kysyntä kasvoi.",
    "Kotoutumiskoulutus alkoi myös ruotsiksi. Arviointien läpimenoajat lyhenivät, mutta "
    "suunnitelmien tarkistukset viivästyivät syksyllä henkilöstövaihdosten vuoksi.",
    "Uuden kotoutumislain ensimmäinen vuosi. Monialainen arviointi vakiintui, ja "
    "rekrytointitapahtuma toi 31 työpaikkaa. Ehdotamme ensi vuodelle tarkistusten "
    "ajoituksen seurantaa kuukausittain.",
]


def _responsible(spec) -> dict:
    kind, value = spec
    if kind == "unit":
        return {"responsible_unit": Unit.objects.get(organisation__code="kokkola", code=value)}
    if kind == "org":
        return {"responsible_organisation": Organisation.objects.get(code=value)}
    return {"responsible_other": value}


def load_demo_programme(*, password: str, stdout=None) -> Programme | None:
    """Create the coordinator and the demo programme (once; nothing when it exists)."""
    if Programme.objects.filter(name_fi__startswith="Kokkolan kotouttamisohjelma").exists():
        return None
    username, first, last, (org_code, unit_code) = COORDINATOR
    User = get_user_model()
    kirsi = User.objects.filter(username=username).first()
    if kirsi is None:
        kirsi = User.objects.create_user(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{username}@kotopolku.invalid",
        )
        services.membership_grant(
            by=None,
            user=kirsi,
            unit=Unit.objects.get(organisation__code=org_code, code=unit_code),
            role=Role.COORDINATOR,
        )
    this_year = today().year
    first_year = this_year - 3
    programme = programme_services.programme_create(
        by=kirsi,
        data={
            "name_fi": "Kokkolan kotouttamisohjelma",
            "name_sv": "Karlebys integrationsprogram",
            "first_year": first_year,
            "last_year": this_year,
            "adopted": f"Kaupunginvaltuusto 12.6.{first_year} § 45",
            "description_fi": "Ohjelma tukee uusien asukkaiden hyvinvointia, työllistymistä ja "
            "osallisuutta, jotta Kokkolasta tulee heille kotikaupunki.",
            "description_sv": "Programmet stöder nya invånares välbefinnande, sysselsättning och "
            "delaktighet så att Karleby blir deras hemstad.",
        },
        organisations=[Organisation.objects.get(code="kokkola")],
        municipalities=[Municipality.objects.get(code="272")],
    )
    measures, manual = [], []
    for (theme_fi, theme_sv), goals in THEMES:
        theme = programme_services.theme_save(
            by=kirsi, programme=programme, data={"name_fi": theme_fi, "name_sv": theme_sv}
        )
        for goal_fi, goal_sv, measure_specs, indicator_specs in goals:
            goal = programme_services.goal_save(
                by=kirsi, theme=theme, data={"text_fi": goal_fi, "text_sv": goal_sv}
            )
            for text_fi, text_sv, schedule, responsible, partners in measure_specs:
                later = schedule.startswith("{second}")  # from the programme's second year on
                schedule = schedule.format(first=first_year, second=first_year + 1, last=this_year)
                measures.append(
                    programme_services.programme_measure_save(
                        by=kirsi,
                        goal=goal,
                        data={
                            "text_fi": text_fi,
                            "text_sv": text_sv,
                            "schedule": schedule,
                            "partners": partners,
                            **_responsible(responsible),
                            "first_year": first_year + 1 if later else None,
                        },
                    )
                )
            for spec in indicator_specs:
                if spec[0] == "manual":
                    _kind, name_fi, name_sv, value_type, unit, scale, values = spec
                    indicator = programme_services.indicator_save(
                        by=kirsi,
                        goal=goal,
                        data={
                            "name_fi": name_fi,
                            "name_sv": name_sv,
                            "kind": "manual",
                            "value_type": value_type,
                            "unit_label": unit,
                            "scale_min": scale[0] if scale else None,
                            "scale_max": scale[1] if scale else None,
                            "responsible_unit": Unit.objects.get(
                                organisation__code="kokkola", code="kotoutumispalvelut"
                            ),
                        },
                    )
                    manual.append((indicator, values))
                else:
                    _kind, name_fi, name_sv, computation, option = spec
                    programme_services.indicator_save(
                        by=kirsi,
                        goal=goal,
                        data={
                            "name_fi": name_fi,
                            "name_sv": name_sv,
                            "kind": "computed",
                            "computation": computation,
                            "computation_option": option,
                        },
                    )
    for offset in range(3):
        year = first_year + offset
        for indicator, values in manual:
            programme_services.indicator_value_record(
                by=kirsi,
                indicator=indicator,
                year=year,
                value=Decimal(str(values[offset])),
                comment="Lähde: kotoutumispalvelujen tilastot." if offset == 2 else "",
            )
        for n, measure in enumerate(measures):
            if not measure.in_year(year):
                continue
            status = STATUSES[offset][n % len(STATUSES[offset])]
            programme_services.measure_status_record(
                by=kirsi,
                measure=measure,
                year=year,
                status=status,
                comment="Resurssit siirrettiin ruotsinkieliseen koulutukseen."
                if status == "dropped"
                else "",
            )
        programme_services.year_summary_save(
            by=kirsi, programme=programme, year=year, summary_fi=SUMMARIES[offset]
        )
        programme_services.report_publish(
            by=kirsi, programme=programme, year=year, note="Kaupunginhallitus"
        )
    if stdout is not None:
        stdout.write(
            f"Integration programme: {programme.name_fi} (coordinator: {username}, "
            f"{first} {last}, Kokkola; reports {first_year}–{first_year + 2} published)"
        )
    return programme
