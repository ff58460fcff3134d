// @ts-check
/**
 * Renders the pathway view (`GET /v1/patients/{id}/pathway`) as accessible HTML: one heading
 * per part, lists for lists, every element labelled with who added it. Read-only.
 */
import { el } from './dom.js';
import { frDate, frPeriod } from './format.js';

/**
 * @typedef {{ code: string, display: string }} Coded
 * @typedef {{ client: string, clientName?: string, caseId?: string, elementId?: string }} Origin
 * @typedef {{ reference: string, display: string }} Party
 */

/** Order of the activity groups: what is under way first, what is over last. */
const STATUS_ORDER = ['in-progress', 'scheduled', 'not-started', 'on-hold', 'completed', 'stopped', 'cancelled'];

/**
 * "ajoutée par CHU de Besançon": the contributor of an element, by name when known.
 * @param {Origin | undefined} origin
 * @param {string} verb e.g. `ajoutée par`
 */
function originText(origin, verb) {
  if (!origin) return undefined;
  return el('p', { className: 'origin' }, `${verb} ${origin.clientName ?? origin.client}`);
}

/**
 * A definition list of the facts that are present (empty values left out).
 * @param {[string, string | undefined][]} facts
 */
function facts(facts) {
  const present = facts.filter(([, value]) => value !== undefined && value !== '');
  if (present.length === 0) return undefined;
  return el('dl', { className: 'facts' }, present.map(([term, value]) => el('div', {}, el('dt', { text: term }), el('dd', { text: value ?? '' }))));
}

/**
 * @param {string} title
 * @param {string} id
 * @param {...(Node | Node[] | undefined)} content
 */
function section(title, id, ...content) {
  return el('section', { className: 'part', 'aria-labelledby': id }, el('h2', { id, text: title }), ...content.flat());
}

/** @param {string} text */
function empty(text) {
  return el('p', { className: 'empty', text });
}

/** @param {any} patient */
function personHeader(patient) {
  const born = patient.sex?.code === 'female' ? 'née' : patient.sex?.code === 'male' ? 'né' : 'né·e';
  const details = [
    patient.birthFamilyName ? `${born} ${patient.birthFamilyName}` : undefined,
    patient.birthDate ? `${born} le ${frDate(patient.birthDate)}` : undefined,
    patient.sex?.display,
  ].filter(Boolean).join(' · ');
  return [
    el('h1', { id: 'titre', tabindex: '-1', text: patient.displayName }),
    details ? el('p', { className: 'person-details', text: details }) : undefined,
    el('p', { className: `identity identity--${patient.identityStatus.code}`, text: patient.identityStatus.display }),
    patient.replacedBy
      ? el('p', { className: 'notice', role: 'note' }, 'Ce dossier a été fusionné avec un autre : ',
        el('a', { href: `/ui/patients/${encodeURIComponent(String(patient.replacedBy).split('/').pop() ?? '')}`, text: 'voir le dossier conservé' }))
      : undefined,
  ];
}

/** @param {any} task */
function taskItem(task) {
  const discharge = task.discharge === true;
  return el('li', { className: discharge ? 'task task--discharge' : 'task' },
    discharge ? el('p', { className: 'badge', text: 'Sortie d’hospitalisation' }) : undefined,
    el('p', { className: 'item-title', text: task.code?.display ?? task.description ?? 'Tâche' }),
    task.description && task.code ? el('p', { text: task.description }) : undefined,
    facts([
      ['Statut', task.status.display],
      ['Priorité', task.priority?.display],
      ['À traiter par', task.owner?.display],
      ['Concerne', task.focus?.display],
      ['Créée le', frDate(task.authoredOn)],
    ]),
    originText(task.origin, 'créée par'));
}

/** @param {any} activity */
function activityItem(activity) {
  return el('li', { className: 'activity' },
    el('p', { className: 'item-title', text: activity.label }),
    facts([
      ['Type', activity.kind?.display],
      ['Responsable', activity.responsible?.display],
      ['Rythme', activity.schedule],
      ['Prévue', frPeriod(activity.scheduledPeriod)],
      ['Objectifs', activity.goals.length > 0 ? activity.goals.join(' ; ') : undefined],
    ]),
    originText(activity.origin, 'ajoutée par'));
}

/**
 * The activities of a plan grouped by status, in `STATUS_ORDER`.
 * @param {any[]} activities
 * @param {string} planId
 */
function activityGroups(activities, planId) {
  if (activities.length === 0) return [empty('Aucune action dans ce plan.')];
  /** @type {Map<string, { status: Coded, items: any[] }>} */
  const groups = new Map();
  for (const activity of activities) {
    /** @type {{ status: Coded, items: any[] }} */
    const group = groups.get(activity.status.code) ?? { status: activity.status, items: [] };
    group.items.push(activity);
    groups.set(activity.status.code, group);
  }
  const rank = (/** @type {string} */ code) => (STATUS_ORDER.includes(code) ? STATUS_ORDER.indexOf(code) : STATUS_ORDER.length);
  return [...groups.values()]
    .sort((a, b) => rank(a.status.code) - rank(b.status.code))
    .map((group, i) => {
      const id = `plan-${planId}-statut-${i}`;
      return el('section', { className: `activity-group status--${group.status.code}`, 'aria-labelledby': id },
        el('h5', { id, text: `${group.status.display} (${group.items.length})` }),
        el('ul', { className: 'cards' }, group.items.map(activityItem)));
    });
}

/**
 * @param {any} plan
 * @param {number} index
 */
function planBlock(plan, index) {
  const id = `plan-${index}`;
  return el('article', { className: 'plan', 'aria-labelledby': id },
    el('h3', { id, text: plan.title ?? 'Plan personnalisé sans titre' }),
    facts([
      ['Statut', plan.status.display],
      ['Période', frPeriod(plan.period)],
      ['Réévaluation prévue le', frDate(plan.reviewOn)],
      ['Rédigé par', plan.author?.display],
      ['Plan tenu par', plan.owner ? plan.owner.clientName ?? plan.owner.client : undefined],
    ]),
    plan.problems.length > 0
      ? [el('h4', { text: 'Problèmes' }), el('ul', {}, plan.problems.map((/** @type {any} */ p) =>
        el('li', {}, p.label, p.domain ? el('span', { className: 'tag', text: p.domain.display }) : undefined)))]
      : undefined,
    plan.goals.length > 0
      ? [el('h4', { text: 'Objectifs' }), el('ul', {}, plan.goals.map((/** @type {any} */ g) =>
        el('li', {}, g.label, g.status ? el('span', { className: 'tag', text: g.status.display }) : undefined)))]
      : undefined,
    el('h4', { text: 'Actions' }),
    el('div', { className: 'activity-groups' }, activityGroups(plan.activities, String(index))));
}

/** @param {any} member */
function memberItem(member) {
  const who = [member.name, member.organization].filter(Boolean).join(' — ');
  return el('li', { className: 'member' },
    el('p', { className: 'item-title', text: member.role.display }),
    el('p', { text: who || 'Non précisé' }),
    facts([
      ['Lien', member.relationship?.display],
      ['Période', frPeriod(member.period)],
    ]),
    originText(member.origin, 'ajouté par'));
}

/** @param {any} request */
function requestItem(request) {
  return el('li', { className: 'request' },
    el('p', { className: 'item-title', text: `Demande d’appui${request.requestedOn ? ` du ${frDate(request.requestedOn)}` : ''}` }),
    facts([
      ['Statut', request.status.display],
      ['Priorité', request.priority?.display],
      ['Motifs', request.reasons.map((/** @type {Coded} */ r) => r.display).join(' ; ')],
      ['Demandeur', request.requester?.display],
      ['Consentement', request.consent ? `${request.consent.given ? 'recueilli' : 'refusé'}${request.consent.date ? ` le ${frDate(request.consent.date)}` : ''}` : undefined],
    ]),
    originText(request.owner, 'transmise par'));
}

/** @param {any} stay */
function stayItem(stay) {
  return el('li', { className: 'stay' },
    el('p', { className: 'item-title', text: `${stay.class?.display ?? 'Séjour'} ${frPeriod(stay.period)}`.trim() }),
    facts([
      ['Statut', stay.status.display],
      ['Établissement', stay.serviceProvider?.display],
      ['Mode de sortie', stay.dischargeDisposition?.display],
      ['Destination', stay.destination?.display],
    ]),
    originText(stay.owner, 'déclaré par'));
}

/**
 * The whole pathway page content.
 * @param {any} view
 * @returns {Node[]}
 */
export function renderPathway(view) {
  const nodes = [
    ...personHeader(view.patient).filter((n) => n !== undefined),
    section('Tâches en cours', 'taches',
      view.openTasks.length > 0 ? el('ul', { className: 'cards' }, view.openTasks.map(taskItem)) : empty('Aucune tâche en cours.')),
    section('Plan personnalisé de coordination en santé', 'plans',
      view.plans.length > 0 ? view.plans.map(planBlock) : empty('Aucun plan en cours.')),
    section('Cercle de soins', 'equipe',
      view.team.length > 0 ? el('ul', { className: 'cards' }, view.team.map(memberItem)) : empty('Aucun membre connu.')),
    section('Demandes d’appui', 'demandes',
      view.supportRequests.length > 0 ? el('ul', { className: 'cards' }, view.supportRequests.map(requestItem)) : empty('Aucune demande d’appui.')),
    section('Séjours hospitaliers', 'sejours',
      view.stays.length > 0 ? el('ul', { className: 'cards' }, view.stays.map(stayItem)) : empty('Aucun séjour connu.')),
  ];
  if (view.issues.length > 0) {
    nodes.push(el('details', { className: 'issues' },
      el('summary', { text: `${view.issues.length} élément(s) n’ont pas pu être lus` }),
      el('ul', {}, view.issues.map((/** @type {string} */ issue) => el('li', { text: issue })))));
  }
  return nodes;
}
