// Admin page behaviour. Served from the app itself (the CSP forbids inline and foreign scripts).
(function () {
  'use strict';
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const api = '/admin/api';

  async function call(method, path, body) {
    const response = await fetch(api + path, {
      method: method,
      credentials: 'same-origin',
      headers: Object.assign({ 'Accept': 'application/json', 'X-CSRF-TOKEN': token }, body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw new Error((data && (data.detail || data.title)) || ('HTTP ' + response.status));
    }
    return data;
  }

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([k, v]) => {
      if (k === 'text') { node.textContent = v; } else if (k === 'class') { node.className = v; } else { node.setAttribute(k, v); }
    });
    (children || []).forEach(c => node.append(c));
    return node;
  }

  function say(id, message) { document.getElementById(id).textContent = message; }

  // Projects: save mode and safety class per row.
  document.querySelectorAll('#projects button.save').forEach(button => {
    button.addEventListener('click', async () => {
      const key = button.dataset.key;
      const row = button.closest('tr');
      try {
        const saved = await call('PUT', '/projects/' + encodeURIComponent(key), {
          mode: row.querySelector('select.mode').value,
          safetyClass: row.querySelector('select.safety').value,
          onUpdate: row.querySelector('input.on-update').checked,
        });
        say('projects-status', key + ' saved: ' + saved.mode + ', safety class ' + saved.safetyClass + ', on update ' + (saved.onUpdate ? 'yes' : 'no') + '.');
      } catch (e) {
        say('projects-status', key + ' not saved: ' + e.message);
      }
    });
  });

  // Backfills: start, then live progress.
  function duration(seconds) {
    if (seconds === null || seconds === undefined) { return '–'; }
    const s = Math.round(seconds);
    return s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min ' + (s % 60) + ' s' : Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  function renderJob(job) {
    const c = job.counters;
    const percent = job.percent === null || job.percent === undefined ? 0 : job.percent;
    const bar = el('progress', { max: '100', value: String(percent), 'aria-label': 'Progress of ' + job.id });
    const numbers = el('p', {
      class: 'numbers',
      text: 'Scanned ' + c.scanned + ' of ~' + (job.estimatedTotal ?? '?') + ' (' + percent + ' %) · ' +
        (job.dryRun ? 'would create ' : 'created ') + c.created + ' · already present ' + c.alreadyPresent +
        ' · failed ' + c.failed + ' · matched ' + c.matched +
        ' · ' + (job.issuesPerSecond ?? 0) + ' issues/s · ETA ' + duration(job.etaSeconds),
    });
    const actions = el('p');
    if (job.status === 'Queued' || job.status === 'Running') {
      const cancel = el('button', { type: 'button', text: 'Cancel ' + job.id });
      cancel.addEventListener('click', () => act(job.id, 'cancel'));
      actions.append(cancel);
    }
    if (job.status === 'Failed' || job.status === 'Cancelled') {
      const resume = el('button', { type: 'button', text: 'Resume ' + job.id });
      resume.addEventListener('click', () => act(job.id, 'resume'));
      actions.append(resume);
    }
    const article = el('article', { class: 'job', 'data-id': job.id, 'data-status': job.status, 'data-percent': String(percent) }, [
      el('h3', { text: job.id + ' · ' + job.project + (job.dryRun ? ' (dry run)' : '') + ' · ' + job.status + (job.cancelRequested && job.status === 'Running' ? ' (cancelling)' : '') }),
      bar, numbers, actions,
    ]);
    if (job.error) { article.append(el('p', { class: 'error', text: job.error })); }
    return article;
  }

  async function act(id, action) {
    try {
      await call('POST', '/backfills/' + encodeURIComponent(id) + '/' + action);
      say('backfill-status', id + ': ' + action + ' requested.');
    } catch (e) {
      say('backfill-status', id + ': ' + e.message);
    }
    refreshJobs();
  }

  let refreshing = false;
  async function refreshJobs() {
    if (refreshing) { return; }
    refreshing = true;
    try {
      const jobs = await call('GET', '/backfills');
      const container = document.getElementById('jobs');
      const focused = document.activeElement && container.contains(document.activeElement) ? document.activeElement.textContent : null;
      container.replaceChildren(...jobs.map(renderJob));
      if (focused) {
        const again = Array.from(container.querySelectorAll('button')).find(b => b.textContent === focused);
        if (again) { again.focus(); }
      }
    } catch (e) {
      say('backfill-status', 'Could not refresh the jobs: ' + e.message);
    } finally {
      refreshing = false;
    }
  }

  document.getElementById('start-backfill').addEventListener('submit', async event => {
    event.preventDefault();
    const after = document.getElementById('bf-after').value;
    try {
      const job = await call('POST', '/backfills', {
        project: document.getElementById('bf-project').value,
        jql: document.getElementById('bf-jql').value || null,
        createdAfter: after ? after + ':00Z' : null,
        dryRun: document.getElementById('bf-dry').checked,
      });
      say('backfill-status', 'Started ' + job.id + '.');
    } catch (e) {
      say('backfill-status', 'Not started: ' + e.message);
    }
    refreshJobs();
  });

  // Explain: what the rules would do with one real issue (nothing is written).
  document.getElementById('explain').addEventListener('submit', async event => {
    event.preventDefault();
    const out = document.getElementById('explain-result');
    const key = document.getElementById('explain-key').value.trim();
    try {
      const plan = await call('POST', '/explain', { issueKey: key });
      const list = el('ul');
      plan.matches.forEach(m => list.append(el('li', { text: m.ruleId + ' (' + m.standard + ' ' + m.clause + '): ' + (m.reason === 'keyword' ? 'keyword "' + m.keyword + '" in ' + m.field : 'issue type') })));
      const create = el('ul');
      plan.subtasks.forEach(s => create.append(el('li', { text: '+ ' + s.summary })));
      plan.alreadyPresent.forEach(s => create.append(el('li', { text: '= ' + s.summary + ' (already present)' })));
      out.replaceChildren(
        el('p', { text: plan.issue + ' in ' + plan.project + ' (' + plan.projectMode + ', safety class ' + plan.safetyClass + '): ' + plan.matches.length + ' rule(s) fire.' }),
        list,
        el('p', { text: plan.subtasks.length + ' sub-task(s) to create' + (plan.wouldCreate ? '' : ' (the project is not On, so none would be created)') + ':' }),
        create);
    } catch (e) {
      out.replaceChildren(el('p', { class: 'error', text: e.message }));
    }
  });

  refreshJobs();
  setInterval(refreshJobs, 1000);
})();
