// End-to-end test of the web UI's Models pages in headless Chromium (Debian's
// chromium driven by playwright-core). It trains and publishes two versions
// of a model on the bank data through the CLI, starts a real
// `refinery server --port 0`, then opens the models list, the model page
// (curves, importance, deployment log), promotes a version through the
// token form, submits a prediction through the generated form, uploads a
// CSV file for scoring, and saves screenshots.
//   node models_e2e_test.mjs <path/to/refinery> <screenshot dir> <source dir>
import fs from 'node:fs';
import path from 'node:path';
import { createHarness } from './harness.mjs';

const [binary, shotsDir, sourceDir] = process.argv.slice(2);
if (!binary || !shotsDir || !sourceDir) {
  console.error('usage: node models_e2e_test.mjs <refinery binary> <screenshot dir> <source dir>');
  process.exit(2);
}
const { home, check, write, cli, waitFor, ...harness } = createHarness('refinery-models-e2e', binary, shotsDir);

// --- two versions of model `bank`: v1 promoted, v2 kept as a candidate -------
function trainAndPublish(gate) {
  write('app/workflow.xml', `<workflow-app xmlns="uri:oozie:workflow:0.5" name="bank-train">
  <start to="train"/>
  <action name="train">
    <train xmlns="uri:refinery:train-action:1.0">
      <input>file://${sourceDir}/examples/data/bank_marketing.csv</input>
      <target>y</target>
      <exclude>duration</exclude>
      <param name="rounds">20</param>
      <model-dir>/user/refinedzone/model</model-dir>
    </train>
    <ok to="publish"/><error to="fail"/>
  </action>
  <action name="publish">
    <publish xmlns="uri:refinery:publish-action:1.0">
      <model>bank</model>
      <bundle>\${wf:actionData('train')['bundle']}</bundle>
      ${gate}
    </publish>
    <ok to="end"/><error to="fail"/>
  </action>
  <kill name="fail"><message>\${wf:errorMessage(wf:lastErrorNode())}</message></kill>
  <end name="end"/>
</workflow-app>`);
  const props = write('app/job.properties', 'oozie.wf.application.path=.\n');
  return cli(['job', '-config', props, '-run', '-quiet']);
}
check(/SUCCEEDED/.test(trainAndPublish('<require>auc &gt;= 0.6</require>')), 'version 1 trained and published');
check(/SUCCEEDED/.test(trainAndPublish('<require>auc &gt;= 0.99</require>')), 'version 2 trained and kept a candidate');

try {
  const base = await harness.startServer();
  const token = fs.readFileSync(path.join(home, 'server.token'), 'utf8').trim();
  const { page, consoleErrors, shot, text } = await harness.launch({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });

  // The list of models.
  await page.goto(`${base}/ui/models`);
  let main = await text();
  check(main.includes('bank') && main.includes('v1') && main.includes('v2'), 'models list shows bank with production v1 and latest v2');
  await shot('models');

  // The model page: history, curves, importance, log.
  await Promise.all([page.waitForURL(/\/ui\/models\/bank$/), page.click('main a[href="/ui/models/bank"]')]);
  check(await page.locator('h1').innerText() === 'Model bank', 'model page has its heading');
  check(await page.locator('figure.chart svg[aria-label^="ROC curve"] path').count() >= 1, 'model page draws the ROC curve');
  check(await page.locator('figure.chart svg[aria-label^="Precision-recall"]').count() === 1, 'model page draws the PR curve');
  check(await page.locator('figure.chart svg[aria-label^="Feature importance"] rect').count() > 3, 'model page draws feature importance');
  check(await page.locator('figure.chart svg[aria-label="auc by version"] circle').count() === 2, 'model page plots AUC by version');
  main = await text();
  check(main.includes('rejected') && main.includes('fails'), 'the deployment log shows the gate rejecting v2');
  await shot('model');

  // Promote v2 through the token form; the server swaps it in.
  await page.fill('#stage-form input[name="token"]', 'not-the-token');
  await page.selectOption('#stage-form select[name="version"]', '2');
  await page.click('#stage-form button[value="promote"]');
  await page.waitForFunction(() => document.getElementById('stage-result').textContent.length > 0);
  check((await page.locator('#stage-result').innerText()).startsWith('Refused'), 'a wrong token is refused');
  await page.fill('#stage-form input[name="token"]', token);
  await page.fill('#stage-form input[name="reason"]', 'promoted in the UI test');
  await page.click('#stage-form button[value="promote"]');
  await page.waitForFunction(() => /now production/.test(document.getElementById('stage-result').textContent));
  check(true, 'promote through the form succeeds with the token');
  await waitFor('version 2 served', async () => {
    const reply = await fetch(`${base}/api/v1/models/bank`);
    return reply.ok && (await reply.json()).serving === 2;
  });
  await page.goto(`${base}/ui/models/bank`);
  main = await text();
  check(main.includes('promoted in the UI test'), 'the deployment log has the reason given in the form');

  // The prediction page: the form is generated from the input schema and prefilled with a real lead.
  await Promise.all([page.waitForURL(/\/predict$/), page.click('main a:has-text("prediction page")')]);
  check(await page.locator('form.predict-form select#in-job option').count() > 5, 'the job field offers the categories seen in training');
  check(await page.locator('form.predict-form input#in-age[min][max]').count() === 1, 'the age field carries the training range');
  await page.focus('#in-age');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.id) !== 'in-age', 'the keyboard moves between fields');
  await page.fill('#in-age', '45');
  await page.selectOption('#in-job', 'management');
  await Promise.all([page.waitForURL(/predict=1/), page.click('form.predict-form button[type="submit"]')]);
  const answer = await page.locator('#answer-value').innerText();
  check(/^\d+(\.\d)?%$/.test(answer), `the answer is a probability (${answer})`);
  check((await text()).includes('Answer from version v2'), 'the answer names the version that served it');
  check(await page.locator('.answer figure.chart svg rect').count() >= 3, 'the answer draws the contributing factors');
  await shot('predict-answer');

  // The browser refuses an age outside the training range before sending it;
  // the server explains it too when the request comes anyway.
  await page.fill('#in-age', '500');
  check(await page.evaluate(() => document.getElementById('in-age').validity.rangeOverflow), 'the form flags an age out of range');
  await page.goto(page.url().replace('age=45', 'age=500'));
  check((await page.locator('.answer.error').innerText()).includes('outside the range'), 'an out-of-range age is explained');

  // CSV upload and download of scored leads.
  const leads = write('leads.csv',
    'lead_id,age,job,marital,education,default,balance,housing,loan,contact,day,month,campaign,pdays,previous,poutcome\n' +
    'L1,30,unemployed,married,primary,no,1787,no,no,cellular,19,oct,1,-1,0,unknown\n' +
    'L2,33,services,married,secondary,no,4789,yes,yes,cellular,11,may,1,339,4,failure\n' +
    'L3,59,blue-collar,married,secondary,no,0,yes,no,unknown,5,may,1,-1,0,unknown\n');
  await page.setInputFiles('#csv-file', leads);
  await page.click('#csv-form button[type="submit"]');
  await page.waitForSelector('#csv-download');
  check((await page.locator('#csv-download').innerText()) === 'Download 3 scored leads', 'the CSV is scored into a download');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-download')]);
  const scored = fs.readFileSync(await download.path(), 'utf8');
  check(scored.startsWith('lead_id,age') && scored.includes('predicted_label,probability,model_version') && scored.includes('L3,59'),
    'the downloaded file keeps the lead ids and adds the predictions');
  await shot('predict-csv');

  // The wrong token's 401 above is expected; Chromium logs it as a failed resource.
  const unexpected = consoleErrors.filter((message) => !message.includes('status of 401'));
  check(unexpected.length === 0, `no other console errors or CSP violations (${unexpected.join(' | ')})`);
} catch (error) {
  harness.fail(error);
}
await harness.finish();
