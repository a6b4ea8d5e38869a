// Screenshots for README.md, taken from the demo (./setup/run.sh running).
// Usage: npm install --prefix .local/shots puppeteer-core@23 &&
//        NODE_PATH=.local/shots/node_modules node docs/capture_screenshots.mjs
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { createRequire } from "module";
const require = createRequire(import.meta.url);
const puppeteer = require(process.env.NODE_PATH + "/puppeteer-core");

const base = process.env.ODOO_URL || "http://localhost:8069";
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
  defaultViewport: { width: 1400, height: 800 },
});
const page = await browser.newPage();
await page.goto(`${base}/web/login`, { waitUntil: "networkidle0" });
await page.type("#login", "admin");
await page.type("#password", "admin");
await Promise.all([page.waitForNavigation({ waitUntil: "networkidle0" }), page.click("button[type=submit]")]);

async function shot(path, file, wait = ".o_content") {
  await page.goto(`${base}${path}`, { waitUntil: "networkidle0" });
  await page.waitForSelector(wait, { timeout: 30000 });
  await new Promise((r) => setTimeout(r, 1500));
  await page.screenshot({ path: `docs/screenshots/${file}` });
}
await shot("/odoo/action-dunning_followup.dunning_partner_state_action", "followups.png");
// the wizard, opened from the list's Follow up button of the first customer
await page.click(".o_data_row button[name=action_followup]");
await page.waitForSelector(".o_dialog .o_form_view", { timeout: 30000 });
await new Promise((r) => setTimeout(r, 1500));
await page.screenshot({ path: "docs/screenshots/wizard.png" });
await shot("/odoo/action-dunning_followup.dunning_action_action", "history.png");
await shot("/odoo/action-dunning_followup.dunning_policy_action/1", "policy.png");
await shot("/odoo/action-dunning_escalation.dunning_charge_action", "charges.png");
// the policy's interest tab
await shot("/odoo/action-dunning_followup.dunning_policy_action/1", "policy_interest.png", ".o_form_view");
await page.evaluate(() => {
  const tab = [...document.querySelectorAll(".o_notebook .nav-link")].find((a) =>
    a.textContent.includes("Interest"));
  if (tab) tab.click();
});
await new Promise((r) => setTimeout(r, 1000));
await page.screenshot({ path: "docs/screenshots/policy_interest.png" });
await browser.close();
