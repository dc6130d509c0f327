# Documents move here from plans, rows and all: plans/migrations/0003 renamed their
# tables to reports_document and reports_documentissue, so taking the models over is a
# change of Django's state only. Their content types are relabelled rather than created
# anew, so that the permissions staff groups hold, and the admin's log entries, follow.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import reports.models

MODELS = ("document", "documentissue")


def relabel_content_types(apps, schema_editor, source="plans", target="reports"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def relabel_content_types_back(apps, schema_editor):
    relabel_content_types(apps, schema_editor, source="reports", target="plans")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('liaison', '0003_status_change'),
        ('plans', '0003_document_tables_for_reports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Document',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('plan', '年度工作计划'), ('plan-progress', '年度工作计划执行情况'), ('work-report', '工作报告'), ('compendium', '提案汇编'), ('minutes', '活动纪要'), ('concerns', '委员反映问题汇总'), ('roster', '委员名册'), ('duty-record', '委员履职档案'), ('ranking', '委员履职积分排名')], max_length=20, verbose_name='文件类型')),
                        ('title', models.CharField(max_length=200, verbose_name='标题')),
                        ('params', models.JSONField(default=dict, verbose_name='参数')),
                        ('document_date', models.DateField(verbose_name='成文日期')),
                        ('params_hash', models.CharField(editable=False, max_length=64, verbose_name='参数指纹')),
                        ('status', models.CharField(choices=[('pending', '排队中'), ('rendering', '生成中'), ('done', '已生成'), ('failed', '生成失败')], db_index=True, default='pending', max_length=10, verbose_name='状态')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='进度（%）')),
                        ('generation', models.PositiveIntegerField(default=1, verbose_name='生成批次')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='尝试次数')),
                        ('error', models.TextField(blank=True, verbose_name='错误信息')),
                        ('file', models.FileField(blank=True, max_length=200, upload_to=reports.models.document_upload_to, verbose_name='文件')),
                        ('size', models.PositiveIntegerField(blank=True, null=True, verbose_name='大小（字节）')),
                        ('page_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='页数')),
                        ('checksum', models.CharField(blank=True, max_length=64, verbose_name='SHA-256 校验值')),
                        ('render_seconds', models.FloatField(blank=True, null=True, verbose_name='生成用时（秒）')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='申请时间')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始生成')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='生成完成')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='liaison.office', verbose_name='联络处')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申请人')),
                    ],
                    options={
                        'verbose_name': '报告文件',
                        'verbose_name_plural': '报告文件',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='DocumentIssue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('issued_at', models.DateTimeField(auto_now_add=True, verbose_name='印发时间')),
                        ('notified_at', models.DateTimeField(blank=True, null=True, verbose_name='通知时间')),
                        ('downloaded_at', models.DateTimeField(blank=True, null=True, verbose_name='首次下载')),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='issues', to='reports.document', verbose_name='文件')),
                        ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='印发人')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='issued_documents', to=settings.AUTH_USER_MODEL, verbose_name='领导')),
                    ],
                    options={
                        'verbose_name': '文件印发',
                        'verbose_name_plural': '文件印发',
                        'ordering': ['-issued_at', '-id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='document',
                    index=models.Index(fields=['office', 'kind', '-created_at'], name='document_idx'),
                ),
                migrations.AddConstraint(
                    model_name='document',
                    constraint=models.UniqueConstraint(fields=('office', 'params_hash'), name='one_document_per_parameters'),
                ),
                migrations.AddConstraint(
                    model_name='documentissue',
                    constraint=models.UniqueConstraint(fields=('document', 'recipient'), name='issue_once_per_leader'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, relabel_content_types_back),
    ]
