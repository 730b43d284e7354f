// The audit log over the real product, on SQLite and PostgreSQL: admin actions made with the command and on the
// website (create, amend with units added and removed, cancel, reset a password) and every change of a unit's
// answer are recorded with who, when, before and after, and shown to the admin; clerks and units cannot read it.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startProduct, RunningProduct } from './support/product';
import { DATABASE_KINDS, dropSchema, freshDatabaseEnv, tempDir } from './support/databases';
import { loggedIn } from './support/web-client';
import { createInvitation, InvitationFiles, invitationsCommand, makeInvitationFiles } from './support/invitation-fixtures';
import { isoDateVietnam } from '../db/time';
import { openDatabase } from '../db/connection';
import { loadConfig } from '../config';
import { listAudit } from '../db/audit/repository';
import fs from 'node:fs';

const DAY = 86_400_000;
let files: InvitationFiles;

before(async () => {
  files = await makeInvitationFiles();
});

after(() => files.remove());

for (const kind of DATABASE_KINDS) {
  test(`${kind}: admin actions and answer changes are in the audit log with before and after`, async () => {
    const dataDir = tempDir('moihop-audit');
    const env = freshDatabaseEnv(kind, dataDir);
    let product: RunningProduct | null = null;
    try {
      product = await startProduct(env);
      const base = `http://127.0.0.1:${product.webPort}`;
      const startsAt = new Date(`${isoDateVietnam(new Date(Date.now() + 3 * DAY))}T09:00:00+07:00`);
      const id = await createInvitation(env, files, { title: 'Họp rà soát kế hoạch đầu tư công', startsAt, units: ['congan', 'vptinhuy'] });
      await invitationsCommand(env, files, ['update', id, '--place', 'Hội trường B, Trung tâm Hội nghị tỉnh', '--add-units', 'mattran', '--actor', 'quantri']);
      await invitationsCommand(env, files, ['update', id, '--remove-units', 'vptinhuy', '--actor', 'quantri']);

      const congan = await loggedIn(base, env, 'congan');
      const answer = async (fields: Record<string, string>) => {
        const token = await congan.token(`/invitations/${id}`);
        const res = await congan.post(`/invitations/${id}/answer`, { _csrf: token, ...fields });
        assert.equal(res.status, 303, res.html.slice(0, 300));
      };
      await answer({ answer: 'tham dự', attendee_name: 'Nguyễn Văn A', attendee_position: 'Phó Giám đốc' });
      await answer({ answer: 'không tham dự', reason: 'Trùng lịch tiếp công dân' });

      const admin = await loggedIn(base, env, 'quantri');
      const resetToken = await admin.token('/admin/accounts');
      assert.equal((await admin.post('/admin/accounts/phuquy/reset-password', { _csrf: resetToken })).status, 200);
      await invitationsCommand(env, files, ['cancel', id, '--reason', 'Lãnh đạo tỉnh đi công tác', '--actor', 'quantri']);

      // What was recorded, read back from the database.
      const db = await openDatabase(loadConfig(env));
      try {
        const entries = (await listAudit(db, { invitationId: id })).reverse();
        assert.deepEqual(entries.map((e) => e.action), [
          'invitation.published', 'invitation.amended', 'invitation.units-removed', 'answer.given', 'answer.changed', 'invitation.cancelled',
        ]);
        const amended = entries[1];
        assert.equal(amended.actor, 'quantri');
        assert.deepEqual(amended.before!.place, 'Phòng họp số 1, UBND tỉnh');
        assert.deepEqual(amended.after!.place, 'Hội trường B, Trung tâm Hội nghị tỉnh');
        assert.deepEqual(amended.after!.unitsAdded, ['uy-ban-mat-tran-to-quoc-viet-nam']);
        assert.equal(amended.before!.title, undefined, 'only the fields that changed');
        assert.deepEqual(entries[2].before, { unitsRemoved: ['van-phong-tinh-uy'] });
        const changed = entries[4];
        assert.equal(changed.actor, 'congan');
        assert.equal(changed.before!.answer, 'tham dự');
        assert.equal(changed.before!.attendeeName, 'Nguyễn Văn A');
        assert.equal(changed.after!.answer, 'không tham dự');
        assert.equal(changed.after!.reason, 'Trùng lịch tiếp công dân');
        assert.deepEqual([entries[5].before, entries[5].after], [{ status: 'đã sửa đổi', cancelReason: null }, { status: 'đã hủy', cancelReason: 'Lãnh đạo tỉnh đi công tác' }]);
        const reset = await listAudit(db, { objectType: 'account' });
        assert.deepEqual(reset.map((e) => [e.actor, e.action, e.objectId]), [['quantri', 'account.password-reset', 'phuquy']]);
      } finally {
        await db.destroy();
      }

      // Shown to the admin, filtered; not readable by a clerk or a unit.
      const page = await admin.get(`/admin/audit?invitation=${id}`);
      assert.equal(page.status, 200);
      assert.match(page.html, /Nhật ký thao tác/);
      assert.match(page.html, /Phòng họp số 1, UBND tỉnh/);
      assert.match(page.html, /Hội trường B, Trung tâm Hội nghị tỉnh/);
      assert.match(page.html, /đổi trả lời &#34;không tham dự&#34;/);
      assert.match(page.html, /Trùng lịch tiếp công dân/);
      assert.doesNotMatch(page.html, /account.password-reset|Đặt lại mật khẩu tài khoản phuquy/, 'filtered to the invitation');
      const invitationPage = await admin.get(`/admin/invitations/${id}`);
      assert.match(invitationPage.html, /id="nhat-ky"[\s\S]*Hủy cuộc họp[\s\S]*Trùng lịch tiếp công dân/, "the invitation's own page shows its log");
      const accounts = await admin.get('/admin/audit?type=account');
      assert.match(accounts.html, /Đặt lại mật khẩu tài khoản phuquy/);
      assert.equal((await admin.get('/admin/audit?type=khac')).status, 400);
      assert.equal((await admin.get('/admin/audit?before=abc')).status, 400);
      assert.equal((await congan.get('/admin/audit')).status, 403);
      const clerk = await loggedIn(base, env, 'vanthu');
      assert.equal((await clerk.get('/admin/audit')).status, 403);
    } finally {
      await product?.stop();
      await dropSchema(env);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
