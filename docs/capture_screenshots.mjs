// Screenshots for README.md, taken from the demo by the chromium the tours
// use (Debian's /usr/bin/chromium; no browser is downloaded).
//
// Usage, with the demo served (./setup/run.sh, or DUNNING_DEMO_DB=... and
// DUNNING_HTTP_PORT=... for a second one):
//   npm install --prefix .local/shots puppeteer-core@23
//   ODOO_URL=http://localhost:8069 NODE_PATH=.local/shots/node_modules \
//     node docs/capture_screenshots.mjs
// Screens are 1280x800; PDF pages (letter, statement) are rendered by the
// server and turned into PNG with pdftoppm (poppler-utils).  What the demo
// lacks (a customer on hold with an order, a payment plan, an agency batch)
// is made through the web client's JSON-RPC, found again on a second run.
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { execFileSync } from "child_process";
import { createRequire } from "module";
import { mkdirSync, writeFileSync } from "fs";
import { resolve } from "path";
const require = createRequire(import.meta.url);
const puppeteer = require(resolve(process.env.NODE_PATH || ".local/shots/node_modules", "puppeteer-core"));

const base = process.env.ODOO_URL || "http://localhost:8069";
const out = "docs/screenshots";
const tmp = ".local/shots";
mkdirSync(tmp, { recursive: true });
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
  defaultViewport: { width: 1280, height: 800 },
});
const page = await browser.newPage();
await page.goto(`${base}/web/login`, { waitUntil: "networkidle0" });
await page.type("#login", "admin");
await page.type("#password", "admin");
await Promise.all([page.waitForNavigation({ waitUntil: "networkidle0" }), page.click("button[type=submit]")]);

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function rpc(model, method, args, kwargs = {}) {
  return page.evaluate(async (model, method, args, kwargs) => {
    const response = await fetch("/web/dataset/call_kw", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", method: "call", params: { model, method, args, kwargs } }),
    });
    const answer = await response.json();
    if (answer.error) throw new Error(`${model}.${method}: ${answer.error.data.message}`);
    return answer.result;
  }, model, method, args, kwargs);
}

async function snap(file) {
  await pause(1500);
  await page.screenshot({ path: `${out}/${file}` });
  console.log(`${out}/${file}`);
}

async function shot(path, file, wait = ".o_content") {
  await page.goto(`${base}${path}`, { waitUntil: "networkidle0" });
  await page.waitForSelector(wait, { timeout: 30000 });
  await snap(file);
}

async function click(selector) {
  await page.waitForSelector(selector, { visible: true, timeout: 30000 });
  await page.click(selector);
}

// the first page of a PDF report, as the server renders it
async function pdfPage(report, id, file) {
  const b64 = await page.evaluate(async (url) => {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text);
  }, `/report/pdf/${report}/${id}`);
  const pdf = `${tmp}/${file}.pdf`;
  writeFileSync(pdf, Buffer.from(b64, "base64"));
  execFileSync("pdftoppm", ["-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", "1100",
                            pdf, `${out}/${file}`]);
  console.log(`${out}/${file}.png`);
}

async function findOrCreate(model, domain, values) {
  const ids = await rpc(model, "search", [domain], { limit: 1 });
  return ids.length ? ids[0] : rpc(model, "create", [values]);
}

// --- follow-up screens ------------------------------------------------------
await shot("/odoo/action-dunning_followup.dunning_partner_state_action", "followups.png", ".o_data_row");
await click(".o_data_row button[name=action_followup]");
await page.waitForSelector(".o_dialog .o_form_view", { timeout: 30000 });
await snap("wizard.png");
await shot("/odoo/action-dunning_followup.dunning_partner_state_server_collector_day", "today.png",
           ".o_kanban_record");

const [letter] = await rpc("dunning.action", "search", [[["send_letter", "=", true], ["state", "=", "done"]]],
                           { limit: 1, order: "id desc" });
await pdfPage("dunning_followup.report_dunning_letter", letter, "letter");
const [worst] = await rpc("dunning.partner.state", "search_read", [[["overdue_amount", ">", 0]]],
                          { fields: ["partner_id"], limit: 1, order: "overdue_amount desc" });
await pdfPage("dunning_followup.report_dunning_statement", worst.partner_id[0], "statement");

// --- late payment charges and the policy's interest terms ------------------
await shot("/odoo/action-dunning_escalation.dunning_charge_action", "charges.png", ".o_data_row");
const [policy] = await rpc("dunning.policy", "search", [[]], { limit: 1 });
await shot(`/odoo/action-dunning_followup.dunning_policy_action/${policy}`, "policy_interest.png", ".o_form_view");
await page.evaluate(() => {
  const tab = [...document.querySelectorAll(".o_notebook .nav-link")].find((a) =>
    a.textContent.includes("Interest"));
  if (tab) tab.click();
});
await snap("policy_interest.png");

// --- reports --------------------------------------------------------------
await shot("/odoo/action-dunning_followup.dunning_aging_report_action", "aging_pivot.png", ".o_pivot table");
await shot("/odoo/action-dunning_followup.dunning_aging_report_action_situation", "aging_graph.png",
           ".o_graph_renderer canvas");
await shot("/odoo/action-dunning_followup.dunning_effectiveness_report_action", "effectiveness.png",
           ".o_graph_renderer canvas");

// --- a held customer's order, refused ---------------------------------------
const [held] = await rpc("res.partner", "search", [[["name", "=", "Ember Studio Demo"]]], { limit: 1 });
const [{ credit_hold: onHold }] = await rpc("res.partner", "read", [[held], ["credit_hold"]]);
if (!onHold) {
  const hold = await rpc("dunning.credit.hold", "create", [{
    partner_ids: [[6, 0, [held]]], mode: "hold", reason: "Three invoices unpaid after the final notice",
  }]);
  await rpc("dunning.credit.hold", "action_apply", [[hold]]);
}
const [product] = await rpc("product.product", "search", [[["sale_ok", "=", true]]], { limit: 1 });
const order = await findOrCreate("sale.order", [["partner_id", "=", held], ["state", "=", "draft"]], {
  partner_id: held, order_line: [[0, 0, { product_id: product, product_uom_qty: 2 }]],
});
await page.goto(`${base}/odoo/action-sale.action_quotations/${order}`, { waitUntil: "networkidle0" });
await click(".o_statusbar_buttons button[name=action_confirm]");
await page.waitForSelector(".modal .modal-body", { timeout: 30000 });
await snap("hold_refusal.png");

// --- a payment plan made from an invoice ------------------------------------
const [invoice] = await rpc("account.move", "search", [[
  ["move_type", "=", "out_invoice"], ["state", "=", "posted"], ["payment_state", "=", "not_paid"],
  ["dunning_exclusion_reason", "=", false], ["partner_id", "!=", held],
]], { limit: 1, order: "invoice_date_due" });
await page.goto(`${base}/odoo/action-account.action_move_out_invoice_type/${invoice}`,
                { waitUntil: "networkidle0" });
await click(".o_statusbar_buttons button[name=action_dunning_plan]");
await click(".o_form_view button[name=action_compute_schedule]");
await page.waitForSelector(".o_field_widget[name=line_ids] .o_data_row", { timeout: 30000 });
await snap("payment_plan.png");

// --- an agency batch --------------------------------------------------------
const [journal] = await rpc("account.journal", "search", [[["type", "=", "bank"]]], { limit: 1 });
const [expense] = await rpc("account.account", "search", [[["account_type", "=", "expense"]]], { limit: 1 });
const agencyPartner = await findOrCreate("res.partner", [["name", "=", "Credit Collect Demo"]],
                                         { name: "Credit Collect Demo", is_company: true });
const agency = await findOrCreate("dunning.agency", [["name", "=", "Credit Collect"]], {
  name: "Credit Collect", partner_id: agencyPartner, agency_type: "collection", export_format: "csv",
  commission_percent: 20, journal_id: journal, expense_account_id: expense, contract_number: "CC-42",
});
let [batch] = await rpc("dunning.export.batch", "search",
                        [[["agency_id", "=", agency], ["state", "=", "draft"]]], { limit: 1 });
if (!batch) {
  batch = await rpc("dunning.export.batch", "create", [{ agency_id: agency }]);
  await rpc("dunning.export.batch", "action_propose", [[batch]]);
}
await shot(`/odoo/action-dunning_factoring.dunning_export_batch_action/${batch}`, "agency_batch.png",
           ".o_form_view");

await browser.close();
