// End-to-end test of Refinery's web UI in headless Chromium (Debian's
// chromium driven by playwright-core; no browser download). It starts a real
// `refinery server --port 0` on a temporary data home, runs a workflow with
// an fs and a profile action, a workflow that fails and a coordinator, then
// opens every page, checks what it shows, that the keyboard reaches the
// navigation, and saves screenshots.
//   node ui_e2e_test.mjs <path/to/refinery> <screenshot dir>
import path from 'node:path';
import { createHarness } from './harness.mjs';

const [binary, shotsDir] = process.argv.slice(2);
if (!binary || !shotsDir) {
  console.error('usage: node ui_e2e_test.mjs <refinery binary> <screenshot dir>');
  process.exit(2);
}
const { work, check, write, cli, waitFor, ...harness } = createHarness('refinery-ui-e2e', binary, shotsDir);

function oozieMinute(date) {
  return date.toISOString().slice(0, 16) + 'Z';
}

// --- the applications -------------------------------------------------------
const props = 'oozie.wf.application.path=.\nnameNode=hdfs://localhost:8020\njobTracker=localhost:8032\n';
write('data/people.csv', 'name,age,city\nAna,34,Lisbon\nBo,,Oslo\nChen,29,Taipei\nDee,41,Lagos\n');
write('quality/workflow.xml', `<workflow-app xmlns="uri:oozie:workflow:0.5" name="people-quality">
  <start to="prepare"/>
  <action name="prepare">
    <fs><mkdir path="\${nameNode}/user/ui/work"/><touchz path="\${nameNode}/user/ui/work/started"/></fs>
    <ok to="profile"/><error to="fail"/>
  </action>
  <action name="profile">
    <profile xmlns="uri:refinery:profile-action:1.0">
      <input>file://${work}/data/people.csv</input>
      <output>/user/ui/quality/people</output>
      <expect>rows &gt;= 3</expect>
      <expect>null_fraction(age) &lt;= 0.5</expect>
    </profile>
    <ok to="end"/><error to="fail"/>
  </action>
  <kill name="fail"><message>failed: \${wf:errorMessage(wf:lastErrorNode())}</message></kill>
  <end name="end"/>
</workflow-app>`);
const qualityProps = write('quality/job.properties', props);
write('broken/workflow.xml', `<workflow-app xmlns="uri:oozie:workflow:0.5" name="broken-export">
  <start to="export"/>
  <action name="export"><shell xmlns="uri:oozie:shell-action:0.3"><job-tracker>\${jobTracker}</job-tracker>
    <name-node>\${nameNode}</name-node><exec>/bin/sh</exec><argument>-c</argument><argument>echo no route; exit 3</argument>
  </shell><ok to="end"/><error to="fail"/></action>
  <kill name="fail"><message>export failed: \${wf:errorMessage(wf:lastErrorNode())}</message></kill>
  <end name="end"/>
</workflow-app>`);
const brokenProps = write('broken/job.properties', props);
write('hello/workflow.xml', `<workflow-app xmlns="uri:oozie:workflow:0.5" name="hourly-hello">
  <start to="hello"/>
  <action name="hello"><shell xmlns="uri:oozie:shell-action:0.3"><job-tracker>\${jobTracker}</job-tracker>
    <name-node>\${nameNode}</name-node><exec>/bin/echo</exec><argument>hello</argument></shell>
    <ok to="end"/><error to="fail"/></action>
  <kill name="fail"><message>failed</message></kill>
  <end name="end"/>
</workflow-app>`);
const now = new Date();
write('coord/coordinator.xml', `<coordinator-app xmlns="uri:oozie:coordinator:0.4" name="hourly-hello"
    frequency="\${coord:hours(1)}" start="${oozieMinute(new Date(now - 30 * 60000))}"
    end="${oozieMinute(new Date(now.getTime() + 24 * 3600000))}" timezone="UTC">
  <action><workflow><app-path>file://${work}/hello</app-path><configuration>
    <property><name>nameNode</name><value>hdfs://localhost:8020</value></property>
    <property><name>jobTracker</name><value>localhost:8032</value></property>
  </configuration></workflow></action>
</coordinator-app>`);
const coordProps = write('coord/job.properties', 'oozie.coord.application.path=.\n');

async function jobStatus(base, id) {
  const reply = await fetch(`${base}/oozie/v2/job/${encodeURIComponent(id)}?show=info`);
  return reply.ok ? reply.json() : null;
}

try {
  const base = await harness.startServer();
  const oozieUrl = `${base}/oozie`;
  console.log(`# server at ${base}, data home ${harness.home}`);
  const submit = (file) => /job: (\S+)/.exec(cli(['job', '-oozie', oozieUrl, '-config', file, '-run']))[1];
  const qualityId = submit(qualityProps);
  const brokenId = submit(brokenProps);
  const coordId = submit(coordProps);
  const done = (s) => ['SUCCEEDED', 'KILLED', 'FAILED'].includes(s);
  const quality = await waitFor(qualityId, async () => { const j = await jobStatus(base, qualityId); return j && done(j.status) && j; });
  check(quality.status === 'SUCCEEDED', `workflow ${qualityId} succeeded (${quality.status})`);
  const broken = await waitFor(brokenId, async () => { const j = await jobStatus(base, brokenId); return j && done(j.status) && j; });
  check(broken.status === 'KILLED', `workflow ${brokenId} was killed by its kill node (${broken.status})`);
  const coordinator = await waitFor(`${coordId}@1`, async () => {
    const reply = await fetch(`${base}/oozie/v2/job/${coordId}?show=info&len=10`);
    const job = reply.ok ? await reply.json() : null;
    const first = job && job.actions && job.actions.find((a) => a.actionNumber === 1);
    return first && first.status === 'SUCCEEDED' && job;
  });
  const helloId = coordinator.actions.find((a) => a.actionNumber === 1).externalId;

  // --- the browser ------------------------------------------------------------
  const { page, consoleErrors, shot, text } = await harness.launch();

  // Dashboard.
  let response = await page.goto(`${base}/`);
  check(response.status() === 200, 'dashboard answers 200');
  check(await page.locator('h1').innerText() === 'Dashboard', 'dashboard has its heading');
  let main = await text();
  check(main.includes('hourly-hello') && main.includes('every 60 minutes'), 'dashboard lists the coordinator with its frequency');
  check(main.includes('people-quality') && main.includes('broken-export'), 'dashboard lists recent workflow runs');
  check(await page.locator('a[href="/metrics"]').count() > 0 && await page.locator('a[href="/oozie/v2/jobs"]').count() > 0,
    'dashboard keeps the links to /metrics and the Oozie API');
  await shot('dashboard');

  // Keyboard: the first Tab reaches the skip link, then the nav links, each with a visible outline.
  const focused = async () => page.evaluate(() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return { href: element.getAttribute('href'), text: element.innerText, outline: style.outlineStyle, width: style.outlineWidth };
  });
  await page.keyboard.press('Tab');
  const skip = await focused();
  check(skip.href === '#main' && skip.text.includes('Skip to content'), 'the first Tab reaches the skip link');
  const reached = new Set();
  let outlined = true;
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    const now = await focused();
    if (['/', '/ui/jobs', '/ui/quality', '/ui/models'].includes(now.href) && now.text !== 'Refinery') {
      reached.add(now.href);
      outlined = outlined && now.outline !== 'none' && now.width !== '0px';
      if (now.href === '/ui/quality') await page.screenshot({ path: path.join(shotsDir, 'dashboard-keyboard-focus.png') });
    }
  }
  check(reached.size === 4, `Tab reaches every nav link (${[...reached].join(', ')})`);
  check(outlined, 'focused nav links show a visible outline');
  await page.goto(`${base}/`);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  check(await page.evaluate(() => document.activeElement.id) === 'main', 'the skip link moves focus to the content');

  // Jobs list, filtered by status through the form.
  await page.goto(`${base}/ui/jobs`);
  main = await text();
  check([qualityId, brokenId, helloId].every((id) => main.includes(id)), 'jobs list shows every run');
  await page.selectOption('#status', 'KILLED');
  await Promise.all([page.waitForURL(/status=KILLED/), page.click('form.filters button')]);
  main = await text();
  check(main.includes(brokenId) && !main.includes(qualityId), 'the status filter keeps only the killed run');
  await shot('jobs-filtered');

  // The workflow run page, reached by a link.
  await page.goto(`${base}/ui/jobs`);
  await Promise.all([page.waitForURL(/\/ui\/jobs\/.+/), page.click(`a[href="/ui/jobs/${qualityId}"]`)]);
  check(await page.locator('h1').innerText() === 'Workflow people-quality', 'job page has the workflow name');
  check(await page.locator('svg g.node[data-node="profile"][data-status="OK"]').count() === 1, 'graph colours the profile node OK');
  check(await page.locator('svg.gantt g.bar').count() === 2, 'Gantt chart has one bar per action (fs, profile)');
  main = await text();
  check(main.includes('rows') && main.includes('failed_rules') && main.includes('/user/ui/quality/people/profile.html'),
    'job page shows the profile action data (wf:actionData)');
  check(/Profiled 4 rows/.test(main), 'job page shows the job log');
  await shot('job');

  await page.goto(`${base}/ui/jobs/${brokenId}`);
  check(await page.locator('svg.gantt g.bar[data-status="ERROR"] rect[fill="#c62828"]').count() === 1, 'a failed action is a red bar');
  main = await text();
  check(main.includes('KILLED') && main.includes('export failed'), 'the killed run shows its error message');
  await shot('job-failed');

  // The coordinator page and its link to a workflow run.
  await page.goto(`${base}/ui/coordinators/${coordId}`);
  main = await text();
  check(main.includes('Next materialization') && main.includes('hourly-hello'), 'coordinator page shows its schedule');
  await shot('coordinator');
  await Promise.all([page.waitForURL(/\/ui\/jobs\//), page.click(`a[href="/ui/jobs/${helloId}"]`)]);
  check((await text()).includes('CoordAction') || (await text()).includes(`${coordId}@1`), 'coordinator action links to its workflow run');

  // Data quality: the list and the report.
  await page.goto(`${base}/ui/quality`);
  main = await text();
  check(main.includes('people.csv') && main.includes('2 of 2 passed'), 'quality list shows the dataset and rule outcome');
  await shot('quality');
  await Promise.all([page.waitForURL(/\/ui\/quality\/.+/), page.click('main a:has-text("Open report")')]);
  check((await page.locator('h1').innerText()).startsWith('Quality of'), 'quality report page has its heading');
  const frame = page.frameLocator('iframe.report');
  await frame.locator('body').waitFor();
  const report = await frame.locator('body').innerText();
  check(report.includes('age') && report.includes('city'), 'the framed profile.html shows the columns');
  await shot('quality-report');

  check(consoleErrors.length === 0, `no console errors or CSP violations (${consoleErrors.join(' | ')})`);

  // Models hook and 404s (Chromium logs every 404 document as a console error).
  response = await page.goto(`${base}/ui/models`);
  check(await page.locator('nav a[aria-current="page"]').innerText() === 'Models', 'the Models nav link has a page');
  response = await page.goto(`${base}/ui/jobs/0000000-000000000000000-nobody-W`);
  check(response.status() === 404 && await page.locator('h1').innerText() === 'Not found', 'an unknown job is a 404 page');
  await shot('not-found');
} catch (error) {
  harness.fail(error);
}
await harness.finish();
